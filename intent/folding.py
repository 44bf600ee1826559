"""Text as a reader sees it: hidden characters removed, look-alike letters read as Latin.

A request can hide a word from a plain substring match without changing what a person
reads: a zero-width space or a soft hyphen inside it ("pa\\u200btient"), fullwidth letters
("ｐａｔｉｅｎｔ") or a letter from another script that looks like a Latin one (a Cyrillic "а"
in "pаtient"). ``canonical`` undoes all three, so the parser and the organisation's rule
triggers read the same text:

1. default-ignorable code points (Unicode's Default_Ignorable_Code_Point property, from the
   ``regex`` library's Unicode tables) are removed;
2. NFKC folds compatibility forms (fullwidth letters, ligatures);
3. a word written with look-alike letters is read as its Latin skeleton, by the Unicode TR39
   confusables data that ``confusable-homoglyphs`` ships: a letter with a one-letter ASCII
   prototype is replaced by it, in each run of letters that mixes such letters with ASCII
   ones, or that stands alone as a word;
4. the text is lower-cased.

Plain ASCII text skips steps 1 and 3, so most requests never load the confusables data.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

#: The package whose TR39 data step 3 reads; its data file keys the cached letter map.
CONFUSABLES_PACKAGE = "confusable_homoglyphs"


def canonical(raw: str, fold: bool = True) -> str:
    """``raw`` as the rules read it; ``fold=False`` skips the hidden-character removal and
    the look-alike folding (NFKC and lower case only), to tell what folding changed."""
    if raw.isascii():
        return raw.lower()
    text = _without_ignorable(raw) if fold else raw
    text = unicodedata.normalize("NFKC", text)
    if fold and not text.isascii():
        text = latin_skeleton(text)
    return text.lower()


def _without_ignorable(text: str) -> str:
    import regex  # only non-ASCII text needs it

    return regex.sub(r"\p{Default_Ignorable_Code_Point}", "", text)


def latin_skeleton(text: str) -> str:
    """Look-alike letters replaced by their ASCII prototypes in the words that use them as
    Latin: a run of letters that are ASCII or foldable, mixing both kinds or bounded by
    non-letters. Other text (Chinese, a Russian word) is left as it is."""
    prototype = look_alike_letters()
    out = list(text)
    start = None
    for i in range(len(text) + 1):
        ch = text[i] if i < len(text) else ""
        if ch and (ch.isascii() and ch.isalpha() or ch in prototype):
            start = i if start is None else start
            continue
        if start is not None:
            _fold_run(text, start, i, out, prototype)
            start = None
    return "".join(out)


def _fold_run(text: str, start: int, end: int, out: list[str], prototype: dict[str, str]) -> None:
    run = text[start:end]
    foreign = [i for i, ch in enumerate(run, start) if not ch.isascii()]
    if not foreign:
        return
    mixed = len(foreign) < len(run)
    whole_word = not _is_letter(text, start - 1) and not _is_letter(text, end)
    if mixed or whole_word:
        for i in foreign:
            out[i] = prototype[text[i]]


def _is_letter(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isalpha()


@lru_cache(maxsize=1)
def look_alike_letters() -> dict[str, str]:
    """Every non-ASCII letter whose TR39 confusable prototype is one ASCII letter -> that letter.
    Derived once from the library's data and kept in the start-up cache, keyed by the data
    file's size and time (cheaper than asking the package metadata for its version)."""
    from importlib.util import find_spec
    from pathlib import Path

    from hardware.jsoncache import cached, digest

    data = Path(find_spec(CONFUSABLES_PACKAGE).origin).parent / "confusables.json"
    stat = data.stat()
    return cached("look-alike-letters", digest(f"{data}:{stat.st_size}:{stat.st_mtime_ns}"), _derive_look_alikes)


def _derive_look_alikes() -> dict[str, str]:
    from confusable_homoglyphs.confusables import confusables_data

    letters = {}
    for source, glyphs in confusables_data.items():
        if len(source) != 1 or source.isascii() or not unicodedata.category(source).startswith("L"):
            continue
        ascii_letters = sorted({g["c"] for g in glyphs if len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalpha()})
        if len(ascii_letters) == 1:
            letters[source] = ascii_letters[0]
    return letters


__all__ = ["canonical", "latin_skeleton", "look_alike_letters"]
