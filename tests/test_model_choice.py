"""Which model a plan takes: the vision quality floors, the most accurate model among plans equal on
the objective, and the models a fixed-function accelerator's compiler can map (the Edge TPU)."""

from __future__ import annotations

import numpy as np
import pytest

from hardware import load_catalog
from intent import plan
from planner.defaults import request_defaults
from planner.perf.roofline import estimate, model_accuracies, reference_accuracy, supports
from planner.search.candidates import build_candidates


def test_the_lowest_power_classifier_is_not_one_from_before_mobile_benchmarks(catalog):
    text = "lowest power, classify images in 10ms"
    result = plan(text, offline=True)
    assert reference_accuracy(catalog.model(result.choice.model_id)) >= 0.70
    assert any(a.startswith("default quality floor for image-classification") for a in result.assumptions)
    assert any("squeezenet1-1" in a for a in result.assumptions)  # it says what it left out
    unfloored = plan(text, offline=True, defaults=False)
    assert reference_accuracy(catalog.model(unfloored.choice.model_id)) < 0.70  # the floor is what changed it
    assert unfloored.metrics.power_w <= result.metrics.power_w


def test_at_one_price_the_more_accurate_model_is_taken(catalog):
    """Product photos on a cloud T4: SqueezeNet 1.1 (58% top-1) met the bound on the same T4 at the
    same price as models 20 points better, and won on latency."""
    text = "Need to classify product photos, ~2000 images/sec, p99 under 20ms, cheapest cloud option"
    for defaults in (True, False):
        result = plan(text, offline=True, defaults=defaults)
        assert result.choice.device_id == "nvidia-t4" and result.choice.replicas == 1
        assert reference_accuracy(catalog.model(result.choice.model_id)) > 0.80
        assert "maximize model_accuracy" in result.solver.tie_breakers


def test_a_detector_floor_keeps_ssdlite_out(catalog):
    result = plan("object detection at 30 fps on a Jetson Orin NX, under 15W", offline=True)
    assert reference_accuracy(catalog.model(result.choice.model_id)) >= 0.30
    floor = request_defaults(result.intent, load_catalog())
    assert not floor.keeps(catalog.model("ssdlite320-mobilenet-v3-large"))


def test_on_one_board_the_most_accurate_model_within_the_bound_is_taken(catalog):
    """Brute force: among the rows on the named board that meet the bound and the floor, and cost
    within the stated tolerance of the cheapest, none is of a more accurate model."""
    result = plan("classify images on a Raspberry Pi 5, under 100 ms per image", offline=True)
    assert result.choice.device_id == "raspberry-pi-5"
    floor = request_defaults(result.intent, load_catalog())
    rows = [r for r in build_candidates(result.intent, catalog).rows
            if r.device_id == "raspberry-pi-5" and r.latency_ms <= 100 and floor.keeps(catalog.model(r.model_id))]
    cheapest = min(r.cost_usd_per_hour for r in rows)
    tied = [r for r in rows if r.cost_usd_per_hour <= cheapest * 1.05]
    best = max(reference_accuracy(catalog.model(r.model_id)) for r in tied)
    assert reference_accuracy(catalog.model(result.choice.model_id)) == pytest.approx(best)
    assert best > reference_accuracy(catalog.model("mobilenet-v3-large"))  # more than the smallest that fits
    assert any("the most accurate model" in a and "within 5%" in a for a in result.assumptions)


def test_accuracies_on_different_benchmarks_rank_no_model(catalog):
    llms = [catalog.model("llama-3.1-8b-instruct-mlperf"), catalog.model("deepseek-r1-distill-qwen-7b")]
    assert len({m.accuracy_metric.split()[0] for m in llms}) == 2
    assert np.isnan(model_accuracies(llms)).all()
    classifiers = [catalog.model("resnet50"), catalog.model("mobilenet-v2")]
    assert model_accuracies(classifiers).tolist() == [reference_accuracy(m) for m in classifiers]


@pytest.mark.parametrize(("model", "why"), [
    ("swin-t", "transformer model"),
    ("bert-base-ner", "transformer model"),
    ("fasterrcnn-mobilenet-v3-large-fpn", "faster-rcnn model"),
])
def test_the_edge_tpu_runs_no_model_its_compiler_cannot_map(catalog, model, why):
    reason = supports(catalog.device("google-coral-edge-tpu"), catalog.model(model), "int8")
    assert reason is not None and why in reason
    assert supports(catalog.device("hailo-8"), catalog.model(model), "int8") is None  # Hailo's compiler maps them


def test_the_edge_tpu_runs_batch_one_and_scales_out_by_devices(catalog):
    result = plan("detect objects at 1000 fps on a coral edge tpu", offline=True)
    assert result.choice.device_id == "google-coral-edge-tpu"
    assert result.choice.batch_size == 1 and result.choice.replicas > 1
    assert result.metrics.throughput_rps >= 1000
    from planner.perf.configs import Config
    from planner.perf.factors import load_factors
    from planner.perf.roofline import Grid

    grid = Grid([Config(catalog.model("mobilenet-v2"), catalog.device("google-coral-edge-tpu"), "int8", "edge")],
                [1, 2, 8], load_factors())
    assert grid.fits.tolist() == [[True, False, False]]
    assert estimate("mobilenet-v2", "google-coral-edge-tpu", "int8", 1).latency_ms > 0


def test_words_that_accuracy_matters_little_leave_the_default_floor_out():
    # "accuracy doesn't need to be great" was read as nothing: the default floor kept MobileNetV3-Large.
    floored = plan("classify images as cheaply as possible", offline=True, record=False)
    for text in ("classify images as cheaply as possible, accuracy doesn't need to be great",
                 "准确率要求不高，最便宜的图像分类"):
        waived = plan(text, offline=True, record=False)
        assert waived.metrics.cost_usd_per_hour <= floored.metrics.cost_usd_per_hour
        assert waived.metrics.accuracy < 0.70  # below the floor's 70% top-1: the floor is gone
        assert any("no default quality floor" in a for a in waived.assumptions), text
        assert not any(a.startswith("default quality floor") for a in waived.assumptions)


def test_a_refusal_of_any_accuracy_drop_keeps_the_floor_and_a_fleet_waives_it_too(tmp_path):
    # "any accuracy" was a waiver phrase: "we can't accept any accuracy drop" planned ShuffleNet.
    strict = plan("classify images as cheaply as possible; we can't accept any accuracy drop from int8", offline=True,
                  record=False)
    assert strict.metrics.accuracy >= 0.70
    from hardware import load_catalog
    from intent.fleet import fleet_workloads, load_fleet

    path = tmp_path / "fleet.yaml"
    path.write_text("schema_version: 1\ninventory:\n  - {id: nvidia-t4, count: 2, placement: on-prem}\nworkloads:\n"
                    "  - {name: cheap, request: 'classify images at 100 req/s, accuracy does not need to be great'}\n",
                    encoding="utf-8")
    catalog = load_catalog()
    (workload,) = fleet_workloads(load_fleet(str(path), catalog), catalog)
    assert any("no default quality floor" in note for note in workload.notes)


def test_a_model_released_in_4_bits_is_planned_in_them_without_a_quantisation_step():
    """gpt-oss ships MXFP4 weights and is evaluated in them: it had been kept off int4 by the precision
    default and planned int8 on 8 H100 at $55/h, with a step quantising it."""
    from intent import plan

    result = plan("gpt-oss-120b, 100 concurrent, TPOT 20ms, TTFT 400ms, H100 or H200 only", offline=True)
    assert result.choice.precision == "int4"
    assert not any("int4 not planned for" in a for a in result.assumptions)
    assert any(s.startswith("Load the released MXFP4 checkpoint") for s in result.steps)
    assert not any(s.startswith("Quantise") for s in result.steps)


def test_a_released_format_is_served_from_the_release_in_export_and_steps():
    """The steps had loaded the MXFP4 release, then told the operator to write an int4 llm-compressor
    checkpoint, and the launch read it with compressed-tensors."""
    from hardware import load_catalog
    from intent import plan
    from intent.export import kubernetes_manifests

    result = plan("gpt-oss-120b, 100 concurrent, TPOT 20ms, TTFT 400ms, H100 or H200 only", offline=True,
                  record=False)
    assert not any("llm-compressor" in s for s in result.steps)
    text = str(kubernetes_manifests(result, load_catalog()))
    assert "openai/gpt-oss-120b" in text and "compressed-tensors" not in text
