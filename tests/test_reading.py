"""Reading what people really write (contract version 2): every request below comes from a
first-time user's run, and each is read, warned about, refused with exit 2, or planned on the
devices it says it has, as the contract and its interpretation rules say."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from intent import parse, plan
from intent.cli import app, main
from intent.errors import ImpossibleValue, UnknownModel
from intent.schema import Metric

runner = CliRunner()


def read(text: str):
    return parse(text, offline=True)


def bounds(intent) -> set[tuple[str, str, float]]:
    return {(c.metric.value, c.op, round(c.value, 6)) for c in intent.constraints}


def warned(intent, *fragments: str) -> bool:
    """True when one warning quotes every fragment (case-insensitive)."""
    return any(all(f.lower() in w.lower() for f in fragments) for w in intent.warnings)


# -- read ----------------------------------------------------------------------------------

def test_an_llm_endpoint_is_read_in_its_own_terms():
    intent = read("Llama-3-70B chat endpoint for 20 concurrent users, TTFT under 500ms and at least "
                  "30 tokens/s per user")
    assert bounds(intent) == {("ttft", "<=", 500.0), ("tpot", "<=", round(1000 / 30, 6))}
    assert intent.workload.concurrency == 20 and intent.workload.model == "llama-3-70b"
    assert intent.task.value == "text-generation"


@pytest.mark.parametrize(("text", "expected"), [
    ("serve llama 3 8b under $0.20 per million output tokens", {("token_cost", "<=", 0.2)}),
    ("chatbot at $0.002 per 1k tokens", {("token_cost", "<=", 2.0)}),
    ("chatbot, at most $0.0000005 per token", {("token_cost", "<=", 0.5)}),
    ("聊天机器人每百万token成本不超过1美元", {("token_cost", "<=", 1.0)}),
    ("LLM serving at 1.2 million tokens per minute", {("token_throughput", ">=", 20000.0)}),
    ("大模型推理，每秒生成5000个token", {("token_throughput", ">=", 5000.0)}),
    ("chatbot streaming at least 25 tok/s per stream", {("tpot", "<=", 40.0)}),
    ("单路输出速度不低于30个token每秒的聊天机器人", {("tpot", "<=", round(1000 / 30, 6))}),
    ("chatbot with inter-token latency under 45 ms", {("tpot", "<=", 45.0)}),
    ("chatbot, 20 ms per token", {("tpot", "<=", 20.0)}),
    ("chatbot: first token within 0.5 s and each reply within 3 s",
     {("ttft", "<=", 500.0), ("latency", "<=", 3000.0)}),
    ("首字延迟低于500毫秒的大模型服务", {("ttft", "<=", 500.0)}),
    ("目标检测，30帧每秒", {("throughput", ">=", 30.0)}),
])
def test_token_metrics_and_rates(text, expected):
    assert bounds(read(text)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("chatbot: the price per 1M tokens no more than $0.15", {("token_cost", "<=", 0.15)}),  # per-token before $
    ("llama chatbot, first-tokn latency under 600 ms", {("ttft", "<=", 600.0)}),  # a typo, then "latency"
    ("condense news into tl;dr blurbs: 5 articles per second", {("throughput", ">=", 5.0)}),
    ("embed product descriptions: 1,000 embeddings per second", {("throughput", ">=", 1000.0)}),
    ("行人检测，帧率30", {("throughput", ">=", 30.0)}),
    ("translate listings, 200 listings per second", {("throughput", ">=", 200.0)}),  # any things per second
    ("embedding service, maybe 12 replicas? p99 30ms", {("latency", "<=", 30.0)}),  # a count is no rate
    ("chatbot: TTFT under 1 ms and 1,000,000 tokens per second", {("ttft", "<=", 1.0),
                                                                 ("token_throughput", ">=", 1e6)}),
    ("翻译模型，功耗低于-10瓦", {("power", "<=", -10.0)}),
    ("agent with a per-user generation speed between 30 and 60 tokens/s", {("tpot", ">=", round(1000 / 60, 6)),
                                                                           ("tpot", "<=", round(1000 / 30, 6))}),
])
def test_more_ways_of_writing_bounds(text, expected):
    assert bounds(read(text)) == expected


@pytest.mark.parametrize(("text", "include"), [
    ("chat on NVIDIA H100 SXM only", ["nvidia-h100-sxm-80gb"]),  # the vendor before a variant
    ("serve llama on 英伟达L4", ["nvidia-l4"]),  # a vendor that only describes the device
    ("chatbot on two L4 GPUs", ["nvidia-l4"]),  # a class that only describes the device
])
def test_a_named_device_gives_its_id_only(text, include):
    assert read(text).hardware.include == include


@pytest.mark.parametrize(("text", "field", "expected"), [
    ("segmentation for a pick-and-place robot arm under 60 ms", "include", []),  # not the vendor Arm
    ("toxicity classifier; legal says GDPR and SOC 2 apply", "include", []),  # 'apply' is no misspelt 'apple'
    ("classify animals. No int4 please, the last int4 model was garbage.", "precisions",
     ["fp32", "tf32", "fp16", "bf16", "fp8", "int8"]),  # a passing mention does not allow int4 again
    ("Quick one: a copilot for our SREs with TTFT under 0.4 s", "objective", None),  # chatter, no preference
    ("情感分析项目，准确率至少百分之九十，麻烦尽快哈", "objective", None),
    ("Topic routing of support tickets into 40 queues", "task", "text-classification"),
    ("Audio fingerprinting features on a Raspberry Pi 5", "task", "feature-extraction"),
    ("classify skin lesions, HIPPA ofc", "compliance", ["hipaa"]),
])
def test_words_that_look_like_fields_and_are_not(text, field, expected):
    intent = read(text)
    got = {"include": intent.hardware.include, "precisions": [p.value for p in intent.precisions],
           "objective": intent.objective, "task": intent.task.value if intent.task else None,
           "compliance": [r.value for r in intent.policies.compliance]}[field]
    assert got == expected



def test_a_fine_tuning_job_is_bounded_by_its_total_time_and_spend():
    intent = read("fine-tune llama 3 8b with LoRA on 50k examples for 3 epochs, budget $200, done within 12 hours")
    assert bounds(intent) == {("job_cost", "<=", 200.0), ("job_time", "<=", 12.0)}
    w = intent.workload
    assert (w.kind.value, w.dataset_records, w.epochs, w.model) == ("fine-tuning", 50_000, 3, "llama-3-8b")


@pytest.mark.parametrize(("text", "records", "expected"), [
    ("训练一个图像分类模型，数据集10万条，3天内训练完", 100_000, {("job_time", "<=", 72.0)}),
    ("训练图像分类模型，128万张图片，总预算5000美元", 1_280_000, {("job_cost", "<=", 5000.0)}),
])
def test_chinese_training_requests_keep_their_dataset_sizes(text, records, expected):
    intent = read(text)
    assert intent.workload.dataset_records == records and bounds(intent) == expected


@pytest.mark.parametrize(("text", "prompt", "output", "concurrency"), [
    ("chatbot with 2k-token prompts and answers around 300 tokens", 2000, 300, None),
    ("RAG bot, 6k tokens of retrieved context per request, 200-400 output tokens", 6000, 400, None),
    ("a chatbot on a model that supports 32k tokens of context", None, None, None),  # a window, not a request
    ("transcribe calls with 20 concurrent streams", None, None, 20),
    ("chatbot for 1,000 simultaneous sessions", None, None, 1000),
    ("chatbot for about 10,000 users", None, None, None),  # people, not a load
    ("代码补全，输入长度4k，输出长度256", 4000, 256, None),  # a length word, no 'token'
    ("story generation, prompts of 200 tokens, stories up to 1,500 tokens", 200, 1500, None),
    ("大模型文本生成服务，并发200", None, None, 200),
    ("语音识别服务，并发300路", None, None, 300),
])
def test_request_shape_and_concurrency(text, prompt, output, concurrency):
    w = read(text).workload
    assert (w.prompt_tokens, w.output_tokens, w.concurrency) == (prompt, output, concurrency)


@pytest.mark.parametrize(("text", "objective"), [
    ("classify images at max throughput", ("throughput", "maximize")),
    ("sentiment analysis with maximum throughput", ("throughput", "maximize")),
    ("文本分类，精度越高越好", ("accuracy", "maximize")),
    ("chatbot with the fastest first token possible", ("ttft", "minimize")),
    ("chatbot, cheapest per token", ("token_cost", "minimize")),
    ("LLM inference: the most tokens per second you can get", ("token_throughput", "maximize")),
    ("在H100上跑大模型，每秒token数越多越好", ("token_throughput", "maximize")),
    ("pick the lowest-power option, under 10 W", ("power", "minimize")),
    ("sentiment analysis with high throughput", ("throughput", "maximize")),
])
def test_objectives(text, objective):
    o = read(text).objective
    assert (o.metric.value, o.sense.value) == objective


@pytest.mark.parametrize(("text", "model", "models"), [
    ("detect objects with yolov8 at 30 fps", None, ["yolov8n", "yolov8s"]),
    ("segment people with yolov8", None, ["yolov8n-seg"]),
    ("images with stable diffusion xl, cheapest", "stable-diffusion-xl-base", []),
    ("SDXL renders from prompts", "stable-diffusion-xl-base", []),
    ("phi-3 mini on a laptop", "phi-3-mini-4k", []),
])
def test_family_names_resolve_to_the_catalog(text, model, models):
    w = read(text).workload
    assert (w.model, w.models) == (model, models)


@pytest.mark.parametrize("text", ["classify images on a Raspberry Pi", "图像分类，在树莓派上运行",
                                  "classify images on a Raspberry Pi 5"])
def test_raspberry_pi_resolves_to_the_device(text):
    assert read(text).hardware.include == ["raspberry-pi-5"]


def test_another_raspberry_pi_is_not_read_as_the_pi_5():
    intent = read("classify images on a raspberry pi 4")
    assert intent.hardware.include == [] and warned(intent, "raspberry pi 4", "raspberry-pi-5")


@pytest.mark.parametrize(("text", "percentile"), [("chatbot with p95 latency under 2 s", "p95"),
                                                  ("classify images, p50 latency under 5 ms", "p50"),
                                                  ("classify images in 10 ms", "p99")])
def test_a_stated_percentile_is_kept_as_written(text, percentile):
    intent = read(text)
    assert intent.constraints[0].metric.value == "latency"
    assert any(percentile in a for a in intent.assumptions)


@pytest.mark.parametrize("text", ["chatbot, no public cloud", "图像分类，私有云部署", "翻译服务，不能上云"])
def test_ruling_out_the_cloud_reads_as_on_prem_and_says_so(text):
    intent = read(text)
    assert intent.deployment.value == "on-prem"
    assert any("on-prem" in a for a in intent.assumptions) or "私有云" in text


@pytest.mark.parametrize("text", ["Mixtral 8x7B for 64 concurrent users on our own GPUs",
                                  "we run our own cluster; serve llama 3 8b"])
def test_hardware_of_ones_own_reads_as_on_prem(text):
    assert read(text).deployment.value == "on-prem"


def test_devices_the_request_owns_become_owned_and_included():
    intent = read("I have 4 A100s and 2 L4s")
    assert [(d.device, d.count) for d in intent.hardware.owned] == [("nvidia-a100", 4), ("nvidia-l4", 2)]
    assert set(intent.hardware.include) == {"nvidia-a100", "nvidia-l4"}
    assert any("4 x nvidia-a100" in a for a in intent.assumptions)
    assert [(d.device, d.count) for d in read("我们有8张H100，部署大模型").hardware.owned] == [("nvidia-h100", 8)]
    assert [(d.device, d.count) for d in read("serve llama 3 8b on 4×A100").hardware.owned] == [("nvidia-a100", 4)]


@pytest.mark.parametrize(("text", "owned"), [
    ("serve llama 3 8b on 8xH100", [("nvidia-h100", 8)]),
    ("serve llama 3 8b on 2x8xH100", [("nvidia-h100", 16)]),
    ("we run two 8xH100 nodes for llama 3 70b", [("nvidia-h100", 16)]),
    ("我们有两台8卡A100服务器，部署大模型", [("nvidia-a100", 16)]),
    ("我们有八张H100", [("nvidia-h100", 8)]),
    ("Mixtral 8x7B chatbot", []),  # a model size, not a count of devices
    ("Run Qwen2.5 72B on 2 H100 nodes for 100 concurrent users", [("nvidia-h100", 16)]),  # was 2
    ("3台A100服务器跑Llama 3.1 70B", [("nvidia-a100", 24)]),  # was 3
    ("two RTX 4090 boxes for llama 3 8b", [("nvidia-geforce-rtx-4090", 8)]),
    ("we have two 8-GPU H100 nodes", [("nvidia-h100", 16)]),  # counted: not 8 again
    ("3 Jetson Orin Nano nodes for person detection", [("nvidia-jetson-orin-nano-8gb", 3)]),  # a board each
    ("Serve Llama 3.1 405B on our 8x H100 node, 50 concurrent users", [("nvidia-h100", 8)]),  # devices: 8x, one node
    ("我们有8卡H100服务器", [("nvidia-h100", 8)]),  # 8卡 counts cards
    ("Train on 4 A100 machine learning servers", [("nvidia-a100", 4)]),  # "machine learning"
])
def test_counts_of_devices_as_people_write_them(text, owned):
    assert [(d.device, d.count) for d in read(text).hardware.owned] == owned


def test_machines_whose_devices_are_not_counted_say_what_each_is_read_as():
    intent = read("Run Qwen2.5 72B on 2 H100 nodes for 100 concurrent users")
    assert any("2 machines of nvidia-h100" in a and "read as 8 each" in a and "16 in all" in a
               for a in intent.assumptions)


# -- warned --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "fragments"), [
    ("classify images, 40 GB of video a day", ("40 gb of video a day",)),
    ("chatbot, EU only", ("eu only", "regions")),
    ("summarize patient notes, data must stay in Germany", ("germany", "regions")),
    ("chatbot in us-east-1", ("us-east-1",)),
    ("serve Falcon-180B for a chatbot at 5 req/s", ("falcon-180b", "not in the model catalog", "closest")),
    ("chatbot on B200s", ("b200", "not a device in the catalog", "closest")),
    # product names of no known family where a device stands were dropped without a word
    ("Only one XG900 available: serve Llama 3.1 8B with 16 concurrent chats", ("'xg900'", "not a device")),
    ("serve llama 3.1 8b on an XG900 card, 16 concurrent chats", ("'xg900'", "not a device in the catalog")),
    ("run on 4x BR100, llama 3 8b at 5 req/s", ("'br100'", "not a device in the catalog")),
    ("用两张MLU370部署Qwen2.5-7B，并发10", ("'mlu370'", "not a device in the catalog")),
    ("chatbot for about 10,000 users", ("10,000 users", "not a load")),
    ("chatbot in production by Friday", ("by friday", "deadline")),
    ("embed 2M documents, finish before 9am tomorrow", ("'before 9am tomorrow'", "time of day is not planned for")),
    ("embed 2M documents by 17:00", ("'by 17:00'", "time of day is not planned for")),
    ("Translate subtitles at 200 sentences/sec, servers in Frankfurt", ("frankfurt", "regions")),
    ("fine-tune llama 3 8b with prefix tuning on 50k examples", ("prefix tuning", "planned as full training")),
    ("classify images in under 5 int8 ms", ("'under 5 int8 ms'", "no unit right after its number")),
    ("sentiment analysis, batch size at most 64", ("'at most 64'", "not read as a bound")),
    ("classify the product photos our warehouse cameras take each day, fewer than 3 widgets please",
     ("'fewer than 3 widgets'", "'widgets' is not a unit")),  # quoted from its comparator, late in a long clause
])
def test_what_is_not_held_is_quoted_in_warnings(text, fragments):
    assert warned(read(text), *fragments)


def test_the_plan_shows_warnings_above_it_and_json_carries_them():
    result = runner.invoke(app, ["plan", "--offline", "--no-history", "classify images in 10 ms, EU only"])
    assert result.exit_code == 0
    out = result.stdout
    assert "warnings" in out and out.index("eu only") < out.index("predicted (whole deployment)")
    data = json.loads(runner.invoke(app, ["plan", "--offline", "--no-history", "--json",
                                          "classify images in 10 ms, EU only"]).stdout)
    assert any("eu only" in w for w in data["warnings"])


@pytest.mark.parametrize("text", ["serve llama 3 8b at 5 req/s on fp16 GPUs", "serve bert at 20 req/s on x86 cpus",
                                  "we have 2 H100s available, serve llama 3 8b at 5 req/s",
                                  "classify images with resnet50 on 2 cards at 20 req/s"])
def test_precisions_instruction_sets_and_known_devices_are_no_unknown_device(text):
    assert not any("not a device in the catalog" in w for w in read(text).warnings)


def test_a_region_written_with_a_hyphenated_only_is_warned_about_once():
    """"EU-only" was warned about twice: as a region, and as an "only" whose scope was not read."""
    warnings = read("classify tickets at 2k QPS, GDPR, EU-only").warnings
    assert warnings == ["'eu-only': regions and data residency are not planned for; the plan may run anywhere its "
                        "placement allows"]
    assert any("not understood" in w for w in read("chatbot, foo-only").warnings)


def test_no_warning_for_a_request_read_whole():
    assert read("lowest power, classify images in 10ms").warnings == []
    assert read("Serve Llama 3 8B for our customer-support chatbot with TTFT under 300 ms").warnings == []


# -- refused with exit 2 -------------------------------------------------------------------

@pytest.mark.parametrize("text", ["classify images within 10 fortnights", "classify images with a budget -$5/hour",
                                  "classify images at -100 req/s", "classify images under 10^26 ms",
                                  "classify images at " + "9" * 400 + " req/s"])
def test_impossible_values_exit_2_with_the_quoted_span(text, capsys):
    assert main(["plan", "--offline", "--no-history", text]) == 2
    err = capsys.readouterr().err
    assert "cannot plan for '" in err and "hint:" in err


def test_a_non_finite_number_is_refused_when_read_never_printed_as_json():
    with pytest.raises(ImpossibleValue):
        read("classify images at " + "9" * 400 + " req/s")


@pytest.mark.parametrize("text", ["Falcon-180B", "Serve InternLM2.5 20B on H100s"])
def test_a_request_naming_only_an_unknown_model_exits_2_and_says_how_to_add_it(text, capsys):
    with pytest.raises(UnknownModel) as info:
        plan(text, offline=True, record=False)
    assert info.value.closest and "catalog import" in info.value.hint
    assert main(["plan", "--offline", "--no-history", text]) == 2
    assert "not in the model catalog" in capsys.readouterr().err


def test_an_unknown_model_with_a_named_task_is_planned_with_the_warning():
    result = plan("summarize support tickets with Falcon 7B", offline=True, record=False)
    assert any("falcon 7b" in w and "not in the model catalog" in w for w in result.warnings)


@pytest.mark.parametrize(("text", "model"), [
    ("serve Qwen2.5-7B-Instruct at 5 req/s", "qwen2.5-7b"),
    ("Meta-Llama-3.1-70B-Instruct chatbot", "llama-3.1-70b"),
    ("DeepSeek-R1-Distill-Qwen-32B", "deepseek-r1-distill-qwen-32b"),
    ("Mistral 7B chatbot", "mistral-7b-v0.3"),
    ("Mixtral 8x7B for code completion", "mixtral-8x7b"),
    ("Llama 3.1 405B on H100s", "llama-3.1-405b"),
])
def test_current_model_names_resolve_to_the_catalog(text, model):
    assert read(text).workload.model == model


def test_an_absurd_but_valid_floor_ends_in_the_infeasibility_report(capsys):
    assert main(["plan", "--offline", "--no-history", "classify images at 1e308 req/s"]) == 3
    assert "throughput >= 1e+308 rps" in capsys.readouterr().err


# -- planned on the stated inventory -------------------------------------------------------

def test_owned_devices_are_planned_on_as_an_inventory_with_no_cloud_price():
    result = plan("I have 4 A100s and 2 L4s, serve llama 3 8b at 10 req/s", offline=True, record=False)
    assert result.choice.device_id.startswith("nvidia-a100") or result.choice.device_id == "nvidia-l4"
    assert result.choice.placement == "on-prem"
    assert result.metrics.provenance["cost_usd_per_hour"].startswith("total cost of ownership of owned devices")
    assert any("power and hosting, not their purchase" in a for a in result.assumptions)
    assert result.choice.replicas * result.choice.shards <= 4


def test_a_fine_tuning_plan_meets_its_job_time_and_spend():
    result = plan("fine-tune llama 3 8b on 50k examples for 3 epochs, budget $200, done within 12 hours",
                  offline=True, record=False)
    assert result.job.hours <= 12 and result.job.cost_usd <= 200


def test_a_batch_of_inference_with_a_total_is_a_job_cost_not_an_hourly_one():
    intent = read("embed 5M documents overnight with bge-large, budget $50")
    assert bounds(intent) == {("job_cost", "<=", 50.0)} and intent.workload.dataset_records == 5_000_000


def test_a_batch_job_with_a_size_and_a_deadline_is_a_throughput_floor():
    result = plan("summarize 10,000 documents within 2 hours", offline=True, record=False)
    floor = next(c for c in result.constraints if c.constraint.metric.value == "throughput")
    assert floor.constraint.value == pytest.approx(10_000 / 7200) and floor.predicted >= floor.constraint.value


def test_a_concurrency_is_held_by_batch_and_replicas_with_the_token_bounds_met():
    result = plan("Llama-3-70B chat endpoint for 20 concurrent users, TTFT under 500ms and at least "
                  "30 tokens/s per user", offline=True, record=False)
    m = result.metrics
    assert m.concurrency >= 20 and m.ttft_ms <= 500 and m.tpot_ms <= 1000 / 30


def test_the_intent_schema_shows_version_2():
    schema = json.loads(runner.invoke(app, ["schema", "intent"]).stdout)
    text = json.dumps(schema)
    for name in ("ttft", "tpot", "token_throughput", "token_cost", "job_time", "job_cost", "prompt_tokens",
                 "output_tokens", "concurrency", "owned"):
        assert name in text, name


@pytest.mark.parametrize(("text", "asked"), [
    ("face detection on 8 cameras at 15 fps", "'face'"),
    ("detect license plates at 30 fps on a Jetson", "'license plates'"),
    ("检测人脸，30fps，用YOLOv8", "'人脸'"),
    ("detect defects on the production line in 30 ms", "'defects'"),
])
def test_a_detector_asked_for_what_coco_does_not_hold_is_warned_about(text, asked):
    (warning,) = [w for w in read(text).warnings if "COCO" in w]
    assert warning.startswith(asked) and "fine-tuned" in warning


@pytest.mark.parametrize("text", [
    "person detection on a Raspberry Pi 5 at 10 fps",
    "detect fire hydrants and cars at 20 fps",  # a COCO class holding 'fire'
    "fine-tune YOLOv8 to detect helmets on 10k images",  # training on them is the fine-tuning
])
def test_coco_classes_and_training_jobs_are_not_warned_about(text):
    assert not any("COCO" in w for w in read(text).warnings)


def test_a_frame_rate_right_after_its_cameras_is_each_cameras():
    # "8 cameras at 15 fps" was warned as a count of sources and planned 15 fps in all.
    intent = read("face detection on 8 cameras at 15 fps")
    assert intent.workload.sources == 8 and intent.bound(Metric.THROUGHPUT, ">=") == 15
    assert not any("number of sources is not a load" in w for w in intent.warnings)


@pytest.mark.parametrize("text", [
    "Detect vehicles in drone footage at 30 fps",  # where, not what
    "Detect people near the fire exits, 15 fps",
    "Person detection at 10 fps, blur faces before storage",
    "Our YOLOv8 fine-tuned on license plates, 30 fps",  # already trained on them
])
def test_words_that_are_not_what_a_detector_finds_are_not_warned_about(text):
    assert not any("COCO" in w for w in read(text).warnings), text


def test_a_frame_rate_said_to_be_the_total_is_not_multiplied():
    for text in ("YOLOv8 on 8 cameras at 120 fps total", "YOLOv8 on 16 streams at 400 fps"):  # 400 > 60 a camera
        intent = read(text)
        assert intent.workload.sources is None and intent.bound(Metric.THROUGHPUT, ">=") in (120, 400), text


def test_a_family_named_with_a_memory_size_is_the_variants_of_that_size():
    # "H100 80GB" was the whole family, so the 94 GB NVL could be planned.
    assert read("Llama 3.1 70B on H100 80GB, 32 concurrent users, fp8").hardware.include == [
        "nvidia-h100-pcie-80gb", "nvidia-h100-sxm-80gb"]
    assert read("no H100 94GB please, llama 3 70b").hardware.exclude == ["nvidia-h100-nvl-94gb"]
    assert read("serve llama 3 8b on H100s").hardware.include == ["nvidia-h100"]  # no size: the family
    planned = plan("Llama 3.1 70B on H100 80GB, 32 concurrent users, fp8", offline=True, record=False)
    assert planned.choice.device_id in ("nvidia-h100-pcie-80gb", "nvidia-h100-sxm-80gb")


def test_a_devices_memory_after_its_name_is_no_thousands_group():
    # "H200 141GB" was joined into "h200141gb" as "200 141" grouped thousands: the owned H200s vanished.
    intent = read("We have 2 H200 141GB GPUs. Serve Qwen3-235B-A22B for 50 concurrent users")
    assert [(o.device, o.count) for o in intent.hardware.owned] == [("nvidia-h200-sxm-141gb", 2)]
    assert read("classify 1 000 images per second").bound(Metric.THROUGHPUT, ">=") == 1000


def test_a_format_asked_for_alone_after_ruled_out_ones_is_not_ruled_out_with_them():
    # "don't use fp8 or int4, bf16 only" ruled bf16 out with the two before it and allowed int8
    assert [p.value for p in read("don't use fp8 or int4, bf16 only — llama 3.1 8b, 10 concurrent users").precisions] \
        == ["bf16"]
    assert "bf16" not in [p.value for p in read("no fp8, int4 or bf16, llama 3.1 8b").precisions]


@pytest.mark.parametrize("text", [
    "llama 3.1 70b with max 1% accuracy loss, cheapest, 20 rps",  # read as accuracy <= 1%, then refused
    "llama 3.1 70b, at most 1% accuracy drop vs bf16, 20 rps",  # bf16, the reference, was the only format allowed
])
def test_an_accuracy_loss_against_a_reference_is_a_loss_and_asks_for_no_format(text):
    intent = read(text)
    assert intent.max_accuracy_loss == 0.01 and not intent.precisions
    assert intent.bound(Metric.ACCURACY, "<=") is None


@pytest.mark.parametrize("text", [
    "multi-LoRA serving: 200 adapters on llama 3.1 8b, 100 rps total",
    "serve llama 3.1 8b with 200 LoRA adapters at 100 rps",
])
def test_lora_adapters_a_service_loads_are_served_not_trained(text):
    # read as fine-tuning, then refused for want of a dataset
    intent = read(text)
    assert intent.workload.kind.value == "inference" and intent.bound(Metric.THROUGHPUT, ">=") == 100
    assert any("LoRA adapters served" in a for a in intent.assumptions)
    assert read("fine-tune llama 3.1 8b with lora on 10k samples, then serve it").workload.kind.value == "fine-tuning"


def test_terse_most_throughput_wordings_ask_for_the_most():
    for text in ("llama 3.1 405b at fp8 on 8xH200, throughput max", "llama 3.1 405b at fp8 on 8xH200, need max tput"):
        assert read(text).objective.metric == Metric.THROUGHPUT, text  # planned at batch 1 on half the GPUs
    assert read("serve llama 3.1 8b, throughput max 100 rps").objective is None  # a cap, not the most


@pytest.mark.parametrize(("text", "rate"), [
    ("chatbot, ~2k users/day, each ~20 msgs, llama 3.1 8b, cheapest", 2000 * 20 / 86400),  # planned 2k messages a day
    ("2,000 users per day, 20 messages per user per day, llama 3.1 8b", 2000 * 20 / 86400),
    ("每天2000个用户，每人20次提问，部署qwen2.5 7b", 2000 * 20 / 86400),
])
def test_what_each_user_sends_makes_the_rate(text, rate):
    intent = read(text)
    assert intent.bound(Metric.THROUGHPUT, ">=") == pytest.approx(rate, rel=1e-3), text
    assert intent.bound(Metric.LATENCY, "<=") is None and not intent.warnings, text


def test_turns_of_a_dataset_are_not_what_users_send():
    intent = read("fine-tune llama 8b on 10k conversations, each 20 messages")
    assert intent.workload.dataset_records == 10_000 and not intent.warnings


@pytest.mark.parametrize(("text", "model"), [
    ("generate 50k images/day with SDXL 1024x1024", "stable-diffusion-xl-base"),
    ("resnet50 p99<300ms 100rps $2k/mo", "resnet50"),  # 'resnet50 p99' was an unknown model
])
def test_a_figure_after_a_models_name_is_not_part_of_it(text, model):
    assert read(text).workload.model == model


@pytest.mark.parametrize("text", ["海光DCU上部署qwen2.5 7b，单卡", "用海光的卡部署qwen2.5 7b", "摩尔线程部署qwen2.5 7b"])
def test_chinese_accelerators_the_catalog_lacks_are_warned_about(text):
    # the plan ran on a T4 in the cloud without a word
    assert any("not a device in the catalog" in w for w in read(text).warnings), text


@pytest.mark.parametrize("text", ["deepseek r1 671b，数据不能离开医院，并发20",
                                  "patient data can't leave the hospital, llama 3.1 8b at 10 rps",
                                  "data must stay in our building, llama 3.1 8b"])
def test_data_that_may_not_leave_a_site_is_on_prem(text):
    assert read(text).deployment.value == "on-prem", text  # planned on 8 H200 in the cloud


def test_a_chinese_input_length_after_its_number_is_the_prompt():
    intent = read("长上下文，128k输入，qwen2.5 72b，总结长文档，首字延迟不超过10秒")  # dropped without a word
    assert intent.workload.prompt_tokens == 128_000
    assert read("qwen 7b, 2k输入 500输出, 并发10").workload.output_tokens == 500


def test_chinese_deadlines_rates_and_money_are_read():
    # each was dropped without a word, or read otherwise
    assert any("明早九点前" in w for w in read("一百万条商品评论做情感分析，明早九点前跑完，越便宜越好").warnings)
    assert read("文生图，SDXL，一天一百万张").bound(Metric.THROUGHPUT, ">=") == pytest.approx(1e6 / 86400)
    assert read("一天内处理一百万张图片").bound(Metric.JOB_TIME, "<=") == 24  # within a day: the job's time
    budget = read("一个月成本控制在5000以内，部署qwen2.5 7b")  # had been $5,000 and a duration warned about
    assert budget.bound(Metric.COST, "<=") == pytest.approx(5000 / 7.2734 / 730, rel=1e-3) and not budget.warnings
    assert any("read in yuan" in a for a in budget.assumptions)
    assert read("keep costs below 3k a month, llama 8b").bound(Metric.COST, "<=") == pytest.approx(3000 / 730)


def test_chinese_token_rates_languages_and_questions_are_read():
    assert read("qwen2.5 7b，token吞吐至少五千每秒").bound(Metric.TOKEN_THROUGHPUT, ">=") == 5000  # was 5,000 req/s
    assert read("想跑qwen2.5-72b做客服问答，吐字每秒至少20个token").bound(Metric.TPOT, "<=") == 50
    assert read("英翻中，batch离线，一亿条句子，两天内").task.value == "translation"  # "names no task"
    assert "fp16" in [p.value for p in read("显存不超过24G，跑qwen2.5 7b做聊天，int4量化也行").precisions]
    assert read("只有一张4090，跑qwen2.5 14b，能到多少并发？").objective.metric == Metric.THROUGHPUT
    assert any(a.startswith("latency bounds read as the mean") for a in read("qwen2.5 7b，平均延迟不超过3秒").assumptions)


def test_users_who_each_send_a_msg_every_so_often_are_the_sources_of_the_load():
    intent = read("llama 3.1 8b, 100 concurrent users, each user sends a msg every 30s")  # 'msg': a 30 s latency bound
    assert intent.workload.sources == 100 and intent.bound(Metric.THROUGHPUT, ">=") == pytest.approx(1 / 30)
    assert intent.bound(Metric.LATENCY, "<=") is None


@pytest.mark.parametrize("text", ["serve qwen2-vl 7b for document QA, images + text, 20 rps", "多模态图文问答，qwen2-vl 7b，并发20"])
def test_a_vision_language_model_the_catalog_lacks_is_not_replaced_by_a_text_model(text):
    # BERT's extractive QA had been planned for it
    intent = read(text)
    assert intent.task is None and any("reads images, audio or video with text" in w for w in intent.warnings)


def test_a_jobs_total_is_its_budget():
    intent = read("fine-tune llama 3.1 8b on 200k examples, must finish within 3 days, $1,000 total")
    assert intent.bound(Metric.JOB_COST, "<=") == 1000 and not intent.warnings  # "no budget word near it"


@pytest.mark.parametrize(("text", "tokens"), [
    ("qwen3-8b w/ thinking on, reasoning traces ~8k tokens, 20 concurrent users", 8000),  # "'8k tokens' ... ignored"
    ("deepseek r1, chain of thought of 4k tokens, 10 rps", 4000),
])
def test_a_reasoning_trace_is_output(text, tokens):
    intent = read(text)
    assert intent.workload.output_tokens == tokens and not intent.warnings


@pytest.mark.parametrize("text", ["cheapest 7b-ish chat model, 20 rps", "a 7b chat model at 5 rps"])
def test_a_size_with_ish_or_a_use_is_the_models_of_that_size(text):
    # "7b-ish chat model" was "a model size, but no model of the catalog was read with it" (Llama 3.2 3B planned)
    intent = read(text)
    assert "qwen2.5-7b" in intent.workload.models and not intent.warnings


def test_zones_a_deployment_spreads_over_are_warned_about():
    # "min 3 replicas across 2 zones": the zones were dropped without a word
    intent = read("serve llama 3.1 8b at 20 rps, min 3 replicas across 2 zones")
    assert intent.workload.min_replicas == 3 and any("availability zones" in w for w in intent.warnings)
