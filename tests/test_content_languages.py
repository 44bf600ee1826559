"""The language of a request's text or speech chooses a model documented to handle it
("transcribe Mandarin calls", "a Chinese chatbot"): it was warned about and an English-only
model planned (wav2vec2-base-960h for Mandarin)."""

import pytest

from hardware import load_catalog
from intent import parse, plan
from planner import MissingTaskError


@pytest.mark.parametrize(("text", "codes"), [
    ("transcribe Mandarin calls, 50 concurrent calls", ["zh"]),
    ("a Chinese chatbot for 20 concurrent users", ["zh"]),
    ("中文情感分析，每秒1000条", ["zh"]),
    ("multilingual embeddings at 500 qps", ["multilingual"]),
    # code-switched speech names both languages ("中英文混合" had read as English alone)
    ("转写中英文混合的会议录音，每天200小时", ["zh", "en"]),
    ("transcribe meetings in mixed Mandarin and English, 20 concurrent", ["zh", "en"]),
    ("transcribe German podcasts, 5 concurrent streams", ["de"]),
])
def test_the_language_of_the_text_is_read(text, codes):
    intent = parse(text, offline=True)
    assert intent.workload.content_languages == codes
    assert not any("languages are not planned for" in w for w in intent.warnings)


def test_a_model_documented_to_handle_the_language_is_planned():
    catalog = load_catalog()
    for text in ("transcribe Mandarin calls, 50 concurrent calls", "a Chinese chatbot for 20 concurrent users"):
        result = plan(text, offline=True, record=False)
        reads = catalog.model(result.choice.model_id).reads
        assert reads is not None and "zh" in reads.codes, (text, result.choice.model_id)
        assert any("documentation says it handles zh" in a for a in result.assumptions)
    english = catalog.model("wav2vec2-base-960h").reads
    assert english.codes == ["en"] and english.source.startswith("https://")


def test_no_documented_model_is_a_refusal_naming_what_the_catalog_holds():
    with pytest.raises(MissingTaskError) as caught:
        plan("sentiment analysis of Chinese product reviews, 1000 per second", offline=True, record=False)
    assert "documented to handle zh" in str(caught.value) and "distilbert-base-sst2 (en)" in str(caught.value)
    assert "catalog import" in caught.value.hint


def test_a_named_model_is_planned_as_named_with_a_warning():
    result = plan("transcribe Mandarin calls with wav2vec2-base-960h", offline=True, record=False)
    assert result.choice.model_id == "wav2vec2-base-960h"
    assert any("'wav2vec2-base-960h' is documented for en, not zh" in w for w in result.warnings)


@pytest.mark.parametrize("text", [
    "Detect German shepherds in our kennel cameras, 4 cameras at 15 fps",  # a vision request: a breed
    "Classify photos of Chinese dishes at 100 images/s",
    "Summarize and polish customer emails",  # a verb
    "Chatbot for 20 concurrent users; we cannot use Chinese models",  # negated, and models are no text
    "Sentiment analysis of reviews for our Korean BBQ restaurant chain",  # a cuisine
    "A chatbot that answers questions about Chinese history",
])
def test_a_language_word_that_does_not_qualify_the_text_chooses_nothing(text):
    # These were read as the text's language: refused (no model documented for it), or, for
    # "cannot use Chinese models", planned on Qwen.
    intent = parse(text, offline=True)
    assert intent.workload.content_languages is None, text
    plan(text, offline=True, record=False)  # planned, not refused


def test_a_named_family_is_planned_as_named_with_a_warning():
    result = plan("Llama 3 chatbot for Chinese users", offline=True, record=False)
    assert result.choice.model_id.startswith("llama-3-")
    assert any("the family named" in w and "not zh" in w for w in result.warnings)


def test_a_request_written_in_chinese_plans_for_chinese_where_a_model_reads_it():
    """"100路并发的录音转写" planned Distil-Whisper small.en, an English-only model: a request written
    in Chinese that names no language is planned for Chinese when a model of the task reads it."""
    catalog = load_catalog()
    speech = plan("100路并发的录音转写，每条10秒内完成", offline=True, record=False)
    assert catalog.model(speech.choice.model_id).reads.handles("zh")
    assert any(a.startswith("the request is written in Chinese") for a in speech.assumptions)
    # recordings, not live streams: the same rate (Little's law), said as it is
    assert any(a.startswith("100 recordings in flight, each transcribed within 10 s") for a in speech.assumptions)
    # no sentiment model reads Chinese: planned as before, and warned about
    sentiment = plan("情感分析，每秒100条", offline=True, record=False)
    assert any("no text-classification model in the catalog is documented to handle Chinese" in w
               for w in sentiment.warnings)
    english = plan("transcribe 100 concurrent call recordings, each within 10 s", offline=True, record=False)
    assert not any("written in Chinese" in a for a in english.assumptions)


def test_live_captions_are_speech_recognition():
    """"live captions for 100 concurrent calls" named no task."""
    assert parse("live captions for 100 concurrent calls, under 1 s", offline=True).task == "automatic-speech-recognition"


def test_a_chinese_request_naming_an_english_only_model_is_warned():
    # "2亿条文档用bge-large做embedding" had planned bge-large-en without a word
    result = plan("2亿条文档用bge-large做embedding，三天内", offline=True, record=False)
    assert result.choice.model_id == "bge-large-en-v1.5"
    assert any("names bge-large-en-v1.5, whose documentation gives en only" in w for w in result.warnings)


def test_a_name_of_several_variants_none_documented_for_chinese_names_them_all():
    """'部署llama 70b' had warned of llama-2-70b while the plan ran llama-3.3-70b."""
    from intent import plan

    result = plan("部署llama 70b要多少钱？", offline=True)
    warning = next(w for w in result.warnings if "written in Chinese" in w)
    assert "llama-3.3-70b" in warning and "each gives" in warning


def test_speech_with_no_language_named_says_it_is_planned_for_english():
    """'batch-transcribe 2,000 hrs of podcasts' was planned on English-only Distil-Whisper without a word."""
    from intent import plan

    said = plan("batch-transcribe 2,000 hrs of podcasts, total budget $100", offline=True)
    assert any("names no language of its speech: planned for English" in a for a in said.assumptions)
    named = plan("transcribe spanish podcasts, 2,000 hrs, budget $100", offline=True)
    assert not any("names no language of its speech" in a for a in named.assumptions)


def test_a_size_named_in_chinese_plans_the_models_of_that_size_documented_for_chinese():
    """'跑个7B的模型' in Chinese had been planned on Llama 3.1 8B (English and seven others) beside Qwen2.5 7B."""
    from intent import plan

    result = plan("预算一万五一个月，跑个7B的模型给公司内部用，大概三十个人同时用", offline=True, record=False)
    from hardware import load_catalog

    assert load_catalog().models[result.choice.model_id].reads.handles("zh")
