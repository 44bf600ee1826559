"""Where the checkout and its test data are. Everything the tests read is inside the repository."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
EVAL = DATA / "eval"
REFERENCE = DATA / "reference"
