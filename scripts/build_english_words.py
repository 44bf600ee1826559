#!/usr/bin/env python3
"""Write intent/data/english-words.txt.gz: English words the parser's spelling fix never changes.

The offline parser fixes one slip in a word of five or more letters when a lexicon word is that
close ("clasify" -> "classify"). A real word that close to a lexicon word is no slip: "there" is
not "three", "reset" not "resnet", "sends" not "spends". This script lists the English words of
five or more letters that occur at least MIN_COUNT times in pyspellchecker's English word
frequency list (MIT licence, https://github.com/barrust/pyspellchecker; built from subtitles and
other corpora, so common misspellings such as "recieve" count 0). The parser consults the list
only when it is about to change a word.

usage: pip install pyspellchecker && python scripts/build_english_words.py
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

MIN_COUNT = 100
OUT = Path(__file__).resolve().parents[1] / "intent" / "data" / "english-words.txt.gz"


def main() -> None:
    import spellchecker
    from spellchecker import SpellChecker

    counts = SpellChecker(language="en").word_frequency.dictionary
    words = sorted(w for w, n in counts.items() if n >= MIN_COUNT and len(w) >= 5 and re.fullmatch(r"[a-z]+", w))
    header = (f"# English words of five or more letters seen at least {MIN_COUNT} times in pyspellchecker "
              f"{spellchecker.__version__}'s English word frequency list (MIT licence, "
              "https://github.com/barrust/pyspellchecker); written by scripts/build_english_words.py\n")
    with gzip.GzipFile(OUT, "wb", mtime=0) as out:  # mtime 0: the same list gives the same bytes
        out.write((header + "\n".join(words) + "\n").encode("utf-8"))
    print(f"wrote {len(words)} words to {OUT}")


if __name__ == "__main__":
    main()
