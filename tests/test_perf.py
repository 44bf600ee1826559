"""The roofline performance model and its public estimate() API."""

from __future__ import annotations

import pytest

from planner import EstimateError, estimate


def test_estimate_has_every_figure():
    e = estimate("resnet50", "nvidia-l4", "int8", 8)
    assert e.latency_ms > 0 and e.throughput_rps > 0 and e.power_w > 0 and e.memory_gb > 0
    assert e.energy_j == pytest.approx(e.power_w * e.latency_ms / 1000 / 8)
    assert e.throughput_rps == pytest.approx(8 / (e.latency_ms / 1000))
    assert e.accuracy == pytest.approx(0.80282)  # the published int8 figure
    assert e.provenance["accuracy"] == "published"


def test_bigger_batches_raise_throughput_and_latency():
    small, large = estimate("resnet50", "nvidia-l4", "fp16", 1), estimate("resnet50", "nvidia-l4", "fp16", 32)
    assert large.throughput_rps > small.throughput_rps
    assert large.latency_ms > small.latency_ms


def test_lower_precision_is_faster_on_the_same_device():
    assert estimate("resnet50", "nvidia-t4", "int8", 16).latency_ms < estimate("resnet50", "nvidia-t4", "fp16", 16).latency_ms


def test_llm_decoding_is_bandwidth_bound_and_scales_with_bandwidth():
    h100 = estimate("llama-3-8b", "nvidia-h100-sxm-80gb", "fp16", 1)
    l4 = estimate("llama-3-8b", "nvidia-l4", "fp16", 1)
    assert h100.bound_by == "memory bandwidth"
    assert l4.latency_ms / h100.latency_ms == pytest.approx(3350 / 300, rel=0.25)


def test_unsupported_precision_and_models_that_do_not_fit_are_not_candidates():
    with pytest.raises(EstimateError, match="no fp8"):
        estimate("resnet50", "nvidia-t4", "fp8", 1)
    with pytest.raises(EstimateError, match="needs"):
        estimate("llama-3-70b", "nvidia-l4", "fp16", 1)


def test_cost_cloud_price_and_owned_hardware():
    cloud = estimate("resnet50", "nvidia-l4", "int8", 1, placement="cloud")
    assert cloud.cost_usd_per_hour == pytest.approx(0.8048)
    edge = estimate("resnet50", "raspberry-pi-5", "int8", 1)  # bought for the plan: its total cost of ownership
    amortised = 80 / (4 * 8760)  # over a 4-year life; at the edge, power at the meter and no hosting
    assert edge.cost_usd_per_hour == pytest.approx(amortised + edge.power_w / 1000 * 0.127)


def test_text_generation_is_described_in_its_own_terms():
    e = estimate("llama-3-8b", "nvidia-h100-sxm-80gb", "fp8", 16)
    output_tokens = 256  # planner/data/perf-factors.yaml, text-generation request shape
    assert e.latency_ms == pytest.approx(e.ttft_ms + (output_tokens - 1) * e.tpot_ms)
    assert e.tokens_per_s == pytest.approx(e.throughput_rps * output_tokens)
    assert e.ttft_ms > e.tpot_ms > 0
    vision = estimate("resnet50", "nvidia-l4", "int8", 8)
    assert vision.ttft_ms is None and vision.tokens_per_s is None


def test_a_dataflow_chip_streams_inputs_through_its_layers_at_batch_1():
    """The Hailo-8 gives the same rate at batch 1 as at batch 8 for a model compiled to one context
    (its model zoo's tables): a stream's frames overlap in its pipeline. It was predicted at
    1 / latency, about half the published 1,023 FPS of YOLOv8n."""
    hailo = estimate("yolov8n", "hailo-8", "int8", 1)
    assert hailo.throughput_rps > 1.2 * 1000 / hailo.latency_ms  # frames overlap; one frame still takes its pass
    assert 0.7 < hailo.throughput_rps / 1023 < 1.3
    coral = estimate("mobilenet-v2", "google-coral-edge-tpu", "int8", 1)  # no pipeline: one input after another
    assert coral.throughput_rps == pytest.approx(1000 / coral.latency_ms)
