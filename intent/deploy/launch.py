"""A server's launch for a Target: image, command, and the arguments built from the plan.

Each serving stack's image, options and load metric are data (intent/data/launches.yaml);
the functions here only decide each option's value from the plan, by the stack's ``kind``.
Every emitted option comes from the stack's option list, so each carries its documentation.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

from intent.deploy.config import Build, Launch, k8s_settings, launches
from intent.deploy.target import Target


class ExportError(ValueError):
    """A plan whose artifacts cannot be written as asked; the message says why and what to do."""

    code = "export-error"
    hint = ("the k8s format (export -f k8s, plan --emit k8s) covers every plan whose server has a pinned image "
            "(intent/data/launches.yaml); kserve serves one model on one node; triton is for plans Triton serves")


#: Precisions whose weights are produced for the plan (quantised, then served from /models).
QUANTISED = ("int8", "int4")
VLLM_DTYPES = {"bf16": "bfloat16", "fp16": "float16", "fp32": "float32"}


@dataclass(frozen=True)
class ServerLaunch:
    """One server container's launch: what runs, where it listens, and what to scale on."""

    serving: str
    spec: Launch
    build: Build
    command: list[str]
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    #: files the server reads from its model repository (path under /models -> text), e.g. config.pbtxt
    files: dict[str, str] = field(default_factory=dict)
    #: a step that must run before the server (an engine build), as a command line
    prepare: list[str] | None = None
    #: the model is read from the models volume rather than fetched by its Hugging Face id
    local_model: bool = False
    #: what the server reads there (a file or a directory), which the fetch-model init container provides
    model_file: str | None = None
    scale_target: float = 1.0
    served_name: str = ""

    @property
    def image(self) -> str:
        return self.build.image


#: The variable that places the Hugging Face hub cache (it outranks HF_HOME and HOME).
HUB_CACHE = "HUGGINGFACE_HUB_CACHE"
#: Vendors whose accelerators no container reaches: containers run in a Linux VM without them
#: (Apple silicon: Docker Desktop's VM has no Metal).
VM_ONLY_VENDORS = ("apple",)


def launch_spec(target: Target) -> tuple[Launch, Build | None]:
    """The serving stack's launch data and the image build for the target's device (None: no image)."""
    spec = launches().launches.get(target.serving)
    if spec is None:
        raise ExportError(
            f"{target.serving} ({target.runtime}) on {target.device.title} has no server "
            f"image to deploy: it runs inside the application, or its vendor publishes no pinned image; "
            f"plan on a device with a server (e.g. add 'on an NVIDIA GPU' or 'on Intel CPUs') or deploy it yourself")
    if spec.tasks is not None and target.model.task not in spec.tasks:
        raise ExportError(f"{target.serving} serves {', '.join(spec.tasks)}; {target.model.id} is {target.model.task}: "
                          "plan it on another device class")
    refuse_encoder_decoder(target, spec)
    return spec, spec.build_for(target.device)


def refuse_encoder_decoder(target: Target, spec: Launch) -> None:
    """A configuration written for decoder-only models cannot serve an encoder-decoder one: it would
    feed token ids to a single engine, where the model needs its encoder's input and two engines."""
    family = launches().encoder_decoder_families.get(target.model.family)
    if not spec.decoder_only or family is None:
        return
    raise ExportError(
        f"{target.model.id} is an encoder-decoder model ({target.model.family}: {family.input}; {family.source}), "
        f"and the {target.serving} configuration intentctl writes is the decoder-only one (token ids in through "
        "input_ids and input_lengths, one engine), which cannot serve it: deploy it with the runtime's "
        "encoder-decoder workflow yourself, or plan another model")


def has_server_image(target: Target) -> bool:
    """Whether the target's server has an image to deploy (what the k8s format needs)."""
    try:
        _, build = launch_spec(target)
    except ExportError:
        return False
    return build is not None


def server_launch(target: Target, role: str | None = None) -> ServerLaunch:
    """The launch of the target's server (``role``: prefill or decode in a disaggregated plan)."""
    import shlex

    spec, build = launch_spec(target)
    if build is None:
        native = BUILDERS[spec.kind](target, spec, spec.builds[0], role)
        command = [native.command[0].rsplit("/", 1)[-1], *native.command[1:], *native.args]
        if target.device.vendor in VM_ONLY_VENDORS:
            raise ExportError(f"{target.serving} {spec.version} has no container image that reaches "
                              f"{target.device.title} (a container runs in a Linux VM "
                              f"without its accelerator); run it natively: {shlex.join(command)}")
        raise ExportError(f"{target.serving} {spec.version} has no pinned container image for {target.device.title} "
                          f"(intent/data/launches.yaml pins one for {_builds_for(spec)} only); plan on one of those, "
                          f"or build an image for it and run: {shlex.join(command)}")
    return BUILDERS[spec.kind](target, spec, build, role)


def _builds_for(spec: Launch) -> str:
    """The devices a launch has images for, in words ("nvidia gpu, amd gpu")."""
    return ", ".join(" ".join(b.match.values()) or "any device" for b in spec.builds)


def render(spec_options, style: str, values: list[tuple[str, object]]) -> list[str]:
    """Options as arguments: a flag alone for True, else the flag and its value."""
    out: list[str] = []
    for key, value in values:
        flag = spec_options[key].flag
        if value is True:
            out.append(flag)
        elif style == "equals":
            out.append(f"{flag}={value}")
        else:
            out += [flag, str(value)]
    return out


def model_path(target: Target, suffix: str = "") -> str:
    return f"{k8s_settings()['models_mount']}/{target.model.id}-{target.precision}{suffix}"


def _waiting_target(target: Target) -> int:
    return max(1, math.ceil(k8s_settings()["autoscaling"]["waiting_share"] * target.batch_size))


def _kv_bytes(precision: str) -> float:
    """Bytes a KV-cache element takes in the plan's memory (planner/data/perf-factors.yaml)."""
    from planner.perf.factors import load_factors

    return load_factors().kv_bytes(precision)


def _vllm(target: Target, spec: Launch, build: Build, role: str | None) -> ServerLaunch:
    released = target.model.released_as(target.precision) is not None  # its own checkpoint, from the hub
    local = (target.precision in QUANTISED and not released) or not target.model.hf_repo
    model = model_path(target) if local else target.model.hf_repo
    layout = target.layout
    values: list[tuple[str, object]] = [
        ("host", "0.0.0.0"), ("port", spec.port), ("served_model_name", target.model.id),
        ("tensor_parallel", layout.tensor_parallel), ("pipeline_parallel", layout.pipeline_parallel)]
    if layout.expert_parallel > 1:
        values.append(("expert_parallel", True))
    if layout.devices_per_replica > _node_devices(target):
        values.append(("executor", "ray"))
    if target.precision in VLLM_DTYPES:
        values.append(("dtype", VLLM_DTYPES[target.precision]))
    if target.precision == "fp8":  # dynamic FP8 weights
        values.append(("quantization", "fp8"))
    elif target.precision in QUANTISED and not released:  # the llm-compressor checkpoint of the plan's steps
        values.append(("quantization", "compressed-tensors"))
    if _kv_bytes(target.precision) == 1:  # an 8-bit KV cache where the plan's memory assumes one (not int4's)
        values.append(("kv_cache_dtype", "fp8"))
    max_len = target.prompt_tokens + target.output_tokens
    context = target.model.architecture.max_context if target.model.architecture else None
    if target.model.needs_extended_context(max_len):  # past the config's context: the card's rope scaling on
        extended = target.model.architecture.extended_context
        context = extended.tokens
        values.append(("hf_overrides", json.dumps({"rope_scaling": extended.rope_scaling}, separators=(",", ":"))))
    encoder_decoder = launches().encoder_decoder_families.get(target.model.family)
    if encoder_decoder is not None and encoder_decoder.decoder_positions:  # the prompt goes to the encoder
        context = encoder_decoder.decoder_positions
    # The longest sequence the KV cache holds: the request shape is the usual request, not the longest
    # (a plan for the default 512 + 256 tokens rejected every prompt over 768); at least what the
    # batch planned holds, at most what the memory left beside the weights does.
    longest = max(max_len * max(1, target.batch_size), _kv_room_tokens(target))
    values += [("max_model_len", min(longest, context) if context else longest),
               ("max_num_seqs", target.batch_size),
               ("gpu_memory_utilization", k8s_settings()["gpu_memory_utilization"])]
    env: dict[str, str] = {}
    if role is not None and spec.kv_transfer is not None:
        values.append(("kv_transfer", json.dumps(spec.kv_transfer.config, separators=(",", ":"))))
        env.update(spec.kv_transfer.env)
    args = [model, *render(spec.options, spec.style, values)]
    return ServerLaunch(target.serving, spec, build, build.command or spec.command, args, env=env,
                        local_model=local, model_file=model if local else None,
                        scale_target=_waiting_target(target), served_name=target.model.id)


#: The share of the memory left beside the weights that --max-model-len may fill: vLLM refuses to start
#: when one sequence of that length does not fit its KV cache, which activations and CUDA graphs shrink.
KV_ROOM_SHARE = 0.8
#: --max-model-len is rounded down to a multiple of this (vLLM's KV blocks are 16 tokens).
LENGTH_STEP = 256


def _kv_room_tokens(target: Target) -> int:
    """Tokens of one sequence the memory a replica's devices leave beside the weights holds (at
    the server's memory share, KV_ROOM_SHARE of it); 0 where the model's KV size is unknown."""
    from planner.perf.factors import load_factors
    from planner.perf.llm import shape

    f = load_factors()
    model = target.model
    if model.architecture is None or model.params_m is None or target.device.memory_gb is None:
        return 0
    memory = _device_memory_gb(target) * target.layout.devices_per_replica * k8s_settings()["gpu_memory_utilization"]
    weights = model.params_m.value * 1e6 * f.bytes_per_param[target.precision] / 1e9
    per_token = shape(model, f)["kv_elems"] * f.kv_bytes(target.precision) / 1e9
    if per_token <= 0 or memory <= weights:
        return 0
    return int(KV_ROOM_SHARE * (memory - weights) / per_token) // LENGTH_STEP * LENGTH_STEP


def _device_memory_gb(target: Target) -> float:
    """The memory one device of the target gives it: a MIG slice's own (its profile names it,
    "1g.10gb"), a time share's part of the device, else the device's."""
    sharing, whole = target.sharing, target.device.memory_gb.value
    if sharing is not None and sharing.mig_profile and (m := re.search(r"(\d+)gb", sharing.mig_profile)):
        return float(m.group(1))
    if sharing is not None and sharing.time_slices:
        return whole / sharing.time_slices
    return whole


def _node_devices(target: Target) -> int:
    group = target.device.max_group.value if target.device.max_group else None
    return int(group or k8s_settings()["devices_per_node"])


def _llamacpp(target: Target, spec: Launch, build: Build, role: str | None) -> ServerLaunch:
    accelerated = target.device.device_class != "cpu" and target.device.vendor != "apple"
    values: list[tuple[str, object]] = [
        ("model", model_path(target, ".gguf")), ("alias", target.model.id), ("host", "0.0.0.0"),
        ("port", spec.port), ("ctx_size", (target.prompt_tokens + target.output_tokens) * target.batch_size),
        ("parallel", target.batch_size), ("metrics", True)]
    if accelerated:
        values.append(("gpu_layers", 999))  # every layer on the GPU (Jetson's unified memory)
    elif target.device.cores is not None:
        values.append(("threads", int(target.device.cores.value)))
    args = render(spec.options, spec.style, values)
    return ServerLaunch(target.serving, spec, build, build.command or spec.command, args, local_model=True,
                        model_file=model_path(target, ".gguf"), scale_target=1, served_name=target.model.id)


#: How Triton serves a diffusion pipeline: a Python backend that runs its text encoders, denoising
#: loop and decoder, in an image built with the pipeline's dependencies.
DIFFUSION_ON_TRITON = ("https://docs.nvidia.com/deeplearning/triton-inference-server/user-guide/docs/tutorials/"
                       "Popular_Models_Guide/StableDiffusion/README.html")


def _triton(target: Target, spec: Launch, build: Build, role: str | None) -> ServerLaunch:
    from intent.deploy.triton import model_config, model_file_name

    if target.model.kind == "diffusion":  # one model file and a stock image would serve one UNet call
        raise ExportError(f"{target.model.id} is a diffusion pipeline (text encoders, a denoising loop, an image "
                          f"decoder), not one model file: Triton serves it from a Python backend in an image built "
                          f"with the pipeline's dependencies ({DIFFUSION_ON_TRITON}), which intentctl does not pin; "
                          "deploy it that way yourself")
    mount = k8s_settings()["models_mount"]
    values = [("model_repository", mount), ("http_port", spec.port),
              ("grpc_port", 8001), ("metrics_port", spec.metrics.port), ("strict_readiness", "true")]
    name = triton_model_name(target)
    return ServerLaunch(target.serving, spec, build, build.command or spec.command,
                        render(spec.options, spec.style, values),
                        files={f"{name}/config.pbtxt": model_config(target)}, local_model=True,
                        model_file=f"{mount}/{name}/1/{model_file_name(target)}",
                        scale_target=max(1000, int(target.queue_slack_ms * 1000)), served_name=name)


def triton_model_name(target: Target) -> str:
    return target.model.id.replace(".", "_")


def _trtllm(target: Target, spec: Launch, build: Build, role: str | None) -> ServerLaunch:
    from intent.deploy.triton import trtllm_config

    values = [("model_repository", k8s_settings()["models_mount"] + "/triton"), ("http_port", spec.port),
              ("grpc_port", 8001), ("metrics_port", spec.metrics.port)]
    engine = spec.engine_build
    build_values = [("checkpoint_dir", model_path(target, "-checkpoint")), ("output_dir", engine_dir(target)),
                    ("max_batch_size", target.batch_size), ("max_input_len", target.prompt_tokens),
                    ("max_seq_len", target.prompt_tokens + target.output_tokens), ("gemm_plugin", "auto")]
    prepare = [*engine.command, *render(engine.options, engine.style, build_values)]
    return ServerLaunch(target.serving, spec, build, build.command or spec.command,
                        render(spec.options, spec.style, values),
                        files={"triton/tensorrt_llm/config.pbtxt": trtllm_config(target, engine_dir(target))},
                        prepare=prepare, local_model=True, model_file=model_path(target, "-checkpoint"),
                        scale_target=_waiting_target(target), served_name="tensorrt_llm")


def engine_dir(target: Target) -> str:
    return model_path(target, "-engine")


def _ovms(target: Target, spec: Launch, build: Build, role: str | None) -> ServerLaunch:
    device = {"cpu": "CPU", "gpu": "GPU", "npu": "NPU"}[target.device.device_class]
    # OVMS combines no requests into a batch: --batch_size N makes every request carry N inputs (one
    # carrying one fails). The planned batch is served as that many requests in flight (--nireq), which
    # the THROUGHPUT hint runs in parallel streams.
    nireq = max(1, 2 * target.layout.devices_per_replica, target.batch_size)
    hint = "LATENCY" if target.batch_size == 1 else "THROUGHPUT"
    values = [("model_name", target.model.id), ("model_path", f"{k8s_settings()['models_mount']}/{target.model.id}"),
              ("port", 9000), ("rest_port", spec.port), ("target_device", device), ("nireq", nireq),
              ("plugin_config", json.dumps({"PERFORMANCE_HINT": hint}, separators=(",", ":"))),
              ("metrics_enable", True)]
    return ServerLaunch(target.serving, spec, build, build.command or spec.command,
                        render(spec.options, spec.style, values), local_model=True,
                        model_file=f"{k8s_settings()['models_mount']}/{target.model.id}/1", scale_target=nireq,
                        served_name=target.model.id)


def _tgi(target: Target, spec: Launch, build: Build, role: str | None) -> ServerLaunch:
    if target.precision == "fp8":
        raise ExportError(f"{target.serving} {spec.version} serves FP8 only with quantisation statistics measured "
                          f"beforehand for the model (the QUANT_CONFIG variable and its measurement files; {spec.docs}, "
                          "'Running TGI with FP8 Precision'), which an export cannot produce: without them it would "
                          f"serve {target.model.id} in bf16, a plan other than this one. Plan it in bf16 (add 'in "
                          "bf16') to export a server that starts, or run the measurement and deploy it yourself")
    local = target.precision in QUANTISED or not target.model.hf_repo
    total = target.prompt_tokens + target.output_tokens
    # tgi-gaudi bounds the batch by tokens: the planned batch of prompts, and of whole sequences.
    values = [("model_id", model_path(target) if local else target.model.hf_repo), ("hostname", "0.0.0.0"),
              ("port", spec.port), ("num_shard", target.layout.tensor_parallel),
              ("max_concurrent_requests", 4 * target.batch_size),
              ("max_input_tokens", target.prompt_tokens), ("max_total_tokens", total),
              ("max_batch_prefill_tokens", target.batch_size * target.prompt_tokens),
              ("max_batch_total_tokens", target.batch_size * total)]
    # The tgi-gaudi image sets HUGGINGFACE_HUB_CACHE=/data (its Dockerfile), which outranks HOME: a
    # pod running as a non-root user could not write the weights there. The cache goes under HOME.
    cache = {HUB_CACHE: f"{k8s_settings()['pod_security']['home']}/huggingface/hub"}
    return ServerLaunch(target.serving, spec, build, build.command or spec.command,
                        render(spec.options, spec.style, values), env=cache, local_model=local,
                        model_file=model_path(target) if local else None,
                        scale_target=_waiting_target(target), served_name=target.model.id)


BUILDERS = {"vllm": _vllm, "llamacpp": _llamacpp, "triton": _triton, "trtllm": _trtllm, "ovms": _ovms, "tgi": _tgi}


def used_options(launch: ServerLaunch) -> list[tuple[str, str]]:
    """(flag, documentation) of every option the launch's arguments use."""
    flags = {o.flag: o.docs for o in launch.spec.options.values()}
    out = []
    for arg in launch.args:
        flag = arg.split("=", 1)[0]
        if flag in flags:
            out.append((flag, flags[flag]))
    return out


def training_build(target: Target) -> Build:
    build = launches().training.build_for(target.device)
    if build is None:
        raise ExportError(f"no pinned PyTorch image for training on {target.device.title} "
                          "(NVIDIA, AMD GPUs and CPUs have one)")
    return build
