"""The ordered steps that carry a plan out."""

from __future__ import annotations

from intent.schema import Intent
from planner.plan import Choice, PolicySection

LOW_PRECISIONS = ("fp8", "int8", "int4")
#: llama.cpp's quantisation type for a planned precision (llama-quantize's names).
GGUF_TYPES = {"fp32": "F32", "fp16": "F16", "bf16": "BF16", "fp8": "Q8_0", "int8": "Q8_0", "int4": "Q4_K_M"}


def plan_steps(intent: Intent, choice: Choice, policies: list[PolicySection]) -> list[str]:
    devices = choice.replicas * choice.shards
    steps = [f"Provision {devices} x {choice.device_name} ({choice.placement})."]
    if choice.shards > 1:
        steps.append(f"Shard {choice.model_id} across {choice.shards} devices per replica with tensor parallelism "
                     f"over the devices' scale-up links.")
    if choice.precision in LOW_PRECISIONS:
        steps.append(f"Quantise {choice.model_id} to {choice.precision} with {choice.runtime}, calibrating on a "
                     "few hundred representative inputs; check accuracy against the fp32 reference.")
    else:
        steps.append(f"Export {choice.model_id} in {choice.precision} and compile it with {choice.runtime}.")
    steps.extend(_model_preparation(choice))
    steps.append(f"Serve with {choice.serving}: batch size {choice.batch_size}, {choice.replicas} "
                 f"replica{'s' if choice.replicas != 1 else ''}.")
    for section in policies:
        steps.extend(f"[{section.name}] {step}" for step in section.steps)
    checks = ", ".join(c.describe() for c in intent.constraints)
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
