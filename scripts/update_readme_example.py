#!/usr/bin/env python3
"""Rewrite the README's example of emitted Kubernetes objects from what the code emits today.

usage: python scripts/update_readme_example.py

tests/test_export.py::test_the_readme_shows_what_the_plan_emits_today fails when the example
drifts from the code (a planner or emitter change); run this, read the diff, commit it.
"""

from __future__ import annotations

import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
REQUEST = "serve llama 3.1 70b on NVIDIA H100 SXM at 10 req/s"
MARKER = "The first command above writes"


def main() -> int:
    from hardware import load_catalog
    from intent import plan
    from intent.export import dump_yaml, kubernetes_manifests

    result = plan(REQUEST, offline=True, record=False)
    text = dump_yaml(kubernetes_manifests(result, load_catalog()))
    head, rest = README.read_text(encoding="utf-8").split(MARKER, 1)
    before, rest = rest.split("```yaml\n", 1)
    _, after = rest.split("```", 1)
    README.write_text(f"{head}{MARKER}{before}```yaml\n{text.rstrip(chr(10))}\n```{after}", encoding="utf-8")
    print(f"rewrote the example in {README}")
    return 0


if __name__ == "__main__":  # -h/--help: the usage, which is the module's docstring
    sys.exit(print(__doc__) if {"-h", "--help"} & set(sys.argv[1:]) else main())
