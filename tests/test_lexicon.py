"""The phrase matcher: word boundaries on ASCII edges, separators, plurals, longest match."""

from __future__ import annotations

import pytest

from intent.parser.lexicon import PhraseSet


def spans(matches) -> list[tuple[str, str]]:
    return [(m.key, m.phrase) for m in matches]


@pytest.mark.parametrize(("text", "found"), [
    ("named entity recognition (ner)", [("ner", "ner")]),
    ("inner loop", []),  # never inside a word
    ("nerve", []),
    ("英伟达gpu", [("gpu", "gpu")]),  # a CJK neighbour is an edge
    ("gpu2", []),
])
def test_ascii_phrases_match_whole_words_only(text, found):
    assert spans(PhraseSet({"ner": ["ner"], "gpu": ["gpu"]}).scan(text)) == found


@pytest.mark.parametrize("text", ["low latency", "low-latency", "low - latency", "low  \t latency"])
def test_spaces_and_hyphens_are_one_separator(text):
    (match,) = PhraseSet({"fast": ["low-latency"]}).scan(text)
    assert (match.start, match.end, match.phrase) == (0, len(text), "low-latency")


def test_plural_endings_only_where_the_set_allows_them():
    words = {"image": ["image"], "box": ["box"]}
    plural = PhraseSet(words, plural=True)
    assert [(m.phrase, m.end) for m in plural.scan("images and boxes")] == [("image", 6), ("box", 16)]
    assert PhraseSet(words).scan("images and boxes") == []


def test_the_longest_phrase_wins_and_a_failed_longer_one_falls_back():
    words = PhraseSet({"device": ["gpu"], "pool": ["gpu cluster"]})
    assert spans(words.scan("a gpu cluster")) == [("pool", "gpu cluster")]
    assert spans(words.scan("a gpu clusters")) == [("device", "gpu")]  # "cluster" is cut mid-word
    assert spans(words.scan("a gpu clu")) == [("device", "gpu")]


def test_scan_is_left_to_right_without_overlap_and_all_matches_keeps_overlaps():
    words = PhraseSet({"a": ["image classification"], "b": ["classification model"]})
    text = "image classification model"
    assert spans(words.scan(text)) == [("a", "image classification")]
    assert spans(words.all_matches(text)) == [("a", "image classification"), ("b", "classification model")]


def test_wildcards_allow_up_to_five_words_between_parts():
    words = PhraseSet({"lowest": ["lowest * power"], "power": ["power"]})
    assert spans(words.scan("the lowest possible average power")) == [("lowest", "lowest * power")]
    assert spans(words.scan("lowest a b c d e f power")) == [("power", "power")]


def test_chinese_phrases_need_no_word_boundaries():
    words = PhraseSet({"classify": ["图像分类"], "power": ["功耗"]})
    assert spans(words.scan("用最低功耗完成图像分类")) == [("power", "功耗"), ("classify", "图像分类")]
