"""The ordered steps that carry a plan out."""

from __future__ import annotations

from hardware import Catalog
from intent.schema import Intent
from planner.plan import Choice, PolicySection

LOW_PRECISIONS = ("fp8", "int8", "int4")
#: llama.cpp's quantisation type for a planned precision (llama-quantize's names).
GGUF_TYPES = {"fp32": "F32", "fp16": "F16", "bf16": "BF16", "fp8": "Q8_0", "int8": "Q8_0", "int4": "Q4_K_M"}


def _sharding_step(choice: Choice) -> str:
    parts = [f"tensor parallelism over {choice.tensor_parallel} devices' scale-up links"]
    if choice.pipeline_parallel > 1:
        parts.append(f"{choice.pipeline_parallel} pipeline stages across scale-up domains")
    if choice.expert_parallel > 1:
        parts.append(f"its experts spread over {choice.expert_parallel} devices")
    return f"Shard {choice.model_id} across {choice.shards} devices per model instance with " + ", ".join(parts) + "."


def plan_steps(intent: Intent, choice: Choice, policies: list[PolicySection], catalog: Catalog,
               pools=()) -> list[str]:
    """The steps that carry out ``choice``, on the catalog it was planned from."""
    devices = choice.replicas * choice.devices_per_replica
    steps = [f"Provision {devices} x {choice.device_name} ({choice.placement}): {choice.layout()}."]
    if choice.shards > 1:
        steps.append(_sharding_step(choice))
    if choice.prefill_workers:
        steps.append(f"Run {choice.prefill_workers} prefill and {choice.decode_workers} decode worker(s) per replica "
                     "(disaggregated serving), moving each prompt's KV cache from prefill to decode over the "
                     "devices' links.")
    released = _released(choice, catalog)
    if released is not None:  # gpt-oss in MXFP4: its own checkpoint, evaluated as released, nothing to quantise
        steps.append(f"Load the released {released.format} checkpoint of {choice.model_id} as published (its "
                     f"accuracy is the release's own; no quantisation step) and serve it with {choice.runtime}.")
    elif choice.precision in LOW_PRECISIONS:
        steps.append(f"Quantise {choice.model_id} to {choice.precision} with {choice.runtime}, calibrating on a "
                     "few hundred representative inputs; check accuracy against the fp32 reference.")
    else:
        steps.append(f"Export {choice.model_id} in {choice.precision} and compile it with {choice.runtime}.")
    steps.extend(_model_preparation(choice) if released is None else [])  # a release is served as published
    steps.append(f"Serve with {choice.serving}: batch size {choice.batch_size}, {choice.replicas} "
                 f"replica{'s' if choice.replicas != 1 else ''}.")
    for pool in pools[1:]:
        c = pool.choice
        steps.append(f"Also provision {c.replicas * c.devices_per_replica} x {c.device_name} ({c.placement}): "
                     f"{c.layout()}, {c.precision}, batch {c.batch_size}.")
    if len(pools) > 1:
        rates = ", ".join(f"{p.choice.device_id} {p.metrics.throughput_rps:,.1f} req/s" for p in pools)
        steps.append(f"Route requests across the {len(pools)} pools in proportion to their rates ({rates}).")
    for section in policies:
        steps.extend(f"[{section.name}] {step}" for step in section.steps)
    checks = ", ".join(_load_test_bound(c, intent) for c in intent.constraints)
    steps.append(f"Load-test at the target rate and confirm {checks} before going live." if checks
                 else "Load-test at the expected rate and record p99 latency, throughput and power.")
    steps.append("Monitor latency, throughput, power and cost against this plan; plan again if they drift by more than 10%.")
    return steps


def _model_preparation(choice: Choice) -> list[str]:
    """What the serving stack needs built from the weights before it starts (see intent/data/launches.yaml)."""
    weights = f"/models/{choice.model_id}-{choice.precision}"
    if choice.runtime == "TensorRT-LLM":
        return [(f"Build the TensorRT-LLM engine: convert the {choice.model_id} checkpoint for {choice.precision} "
                 f"(TensorRT-LLM's convert_checkpoint.py, tensor parallel {choice.shards}) into {weights}-checkpoint, "
                 f"then trtllm-build with max batch size {choice.batch_size} into {weights}-engine (the Kubernetes "
                 "export runs trtllm-build as the pod's init container).")]
    if choice.serving == "llama.cpp server":
        quant = GGUF_TYPES.get(choice.precision, "F16")
        return [(f"Convert {choice.model_id} to GGUF (llama.cpp's convert_hf_to_gguf.py) and quantise it to {quant} "
                 f"with llama-quantize, into {weights}.gguf.")]
    if choice.serving == "vLLM" and choice.precision in ("int8", "int4"):
        return [(f"Write the {choice.precision} checkpoint with llm-compressor (compressed-tensors format) into "
                 f"{weights}, where vLLM reads it.")]
    return []


def _load_test_bound(c, intent) -> str:
    """A bound as the load test checks it: a rate stated for each of several sources (cameras, users)
    is their sum ("throughput >= 0.0667 rps" of each of 250 users was the whole load test's target)."""
    sources = intent.workload.sources
    if c.metric.value == "throughput" and c.op == ">=" and sources and sources > 1:
        return f"throughput >= {c.value * sources:,.4g} rps ({sources:,} x {c.value:.4g})"
    return c.describe()


def _released(choice: Choice, catalog: Catalog):
    """The low-bit release the plan serves as published, or None (``ModelVariant.release_precision``)."""
    model = catalog.models.get(choice.model_id)
    return model.released_as(choice.precision) if model is not None else None
