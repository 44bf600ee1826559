"""Triton model configurations (config.pbtxt) for a Target.

TensorRT and ONNX models: the platform, the plan's batch as the maximum and preferred batch,
dynamic batching whose queue delay is a share of the latency slack, and one instance group on
the plan's devices. TensorRT-LLM: the ``tensorrtllm`` backend with in-flight batching over the
engine the plan's build step writes (the inputs and outputs of the backend's
all_models/inflight_batcher_llm/tensorrt_llm template at v0.12.0).
"""

from __future__ import annotations

from intent.deploy.target import Target

PLATFORMS = {"TensorRT": "tensorrt_plan"}
DEFAULT_PLATFORM = "onnxruntime_onnx"
#: The dynamic batcher may hold a request for this share of the latency slack, at most 100 ms.
QUEUE_SHARE = 0.5
MAX_QUEUE_DELAY_MS = 100.0


def queue_delay_us(target: Target) -> int:
    return max(0, int(min(target.queue_slack_ms * QUEUE_SHARE, MAX_QUEUE_DELAY_MS) * 1000))


def platform(target: Target) -> str:
    return PLATFORMS.get(target.runtime.split(" ")[0], DEFAULT_PLATFORM)


def model_file_name(target: Target) -> str:
    """The file Triton loads from the model's version directory, by its platform."""
    return "model.plan" if platform(target) == "tensorrt_plan" else "model.onnx"


def instance_group(target: Target) -> str:
    if target.device.device_class == "gpu":
        gpus = ", ".join(str(i) for i in range(target.layout.devices_per_replica))
        return f"instance_group [ {{ count: 1, kind: KIND_GPU, gpus: [ {gpus} ] }} ]"
    return "instance_group [ { count: 1, kind: KIND_CPU } ]"


def model_config(target: Target) -> str:
    from intent.deploy.launch import triton_model_name

    return "\n".join([
        f'name: "{triton_model_name(target)}"',
        f'platform: "{platform(target)}"',
        f"max_batch_size: {target.batch_size}",
        instance_group(target),
        "dynamic_batching {",
        f"  preferred_batch_size: [ {target.batch_size} ]",
        f"  max_queue_delay_microseconds: {queue_delay_us(target)}",
        "}",
        "",
    ])


def _tensor(name: str, dtype: str, dims: str, optional: bool = False) -> str:
    extra = " optional: true" if optional else ""
    return f'  {{ name: "{name}" data_type: {dtype} dims: [ {dims} ]{extra} }}'


def trtllm_config(target: Target, engine_dir: str) -> str:
    """The tensorrt_llm model of a TensorRT-LLM model repository."""
    inputs = [_tensor("input_ids", "TYPE_INT32", "-1"), _tensor("input_lengths", "TYPE_INT32", "1"),
              _tensor("request_output_len", "TYPE_INT32", "1"),
              _tensor("end_id", "TYPE_INT32", "1", optional=True), _tensor("pad_id", "TYPE_INT32", "1", optional=True),
              _tensor("streaming", "TYPE_BOOL", "1", optional=True)]
    outputs = [_tensor("output_ids", "TYPE_INT32", "-1, -1"), _tensor("sequence_length", "TYPE_INT32", "-1")]
    params = {"gpt_model_type": "inflight_fused_batching", "gpt_model_path": engine_dir,
              "batch_scheduling_policy": "max_utilization", "kv_cache_free_gpu_mem_fraction": "0.9",
              "max_queue_delay_microseconds": str(queue_delay_us(target))}
    return "\n".join([
        'name: "tensorrt_llm"',
        'backend: "tensorrtllm"',
        f"max_batch_size: {target.batch_size}",
        "model_transaction_policy { decoupled: false }",
        "dynamic_batching {",
        f"  preferred_batch_size: [ {target.batch_size} ]",
        f"  max_queue_delay_microseconds: {queue_delay_us(target)}",
        "}",
        "input [", ",\n".join(inputs), "]",
        "output [", ",\n".join(outputs), "]",
        "instance_group [ { count: 1, kind: KIND_CPU } ]",  # the backend places the engine on the GPUs itself
        *[f'parameters: {{ key: "{k}" value: {{ string_value: "{v}" }} }}' for k, v in params.items()],
        "",
    ])
