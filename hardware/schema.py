"""Typed catalog entries: devices described the way a device tree does, and model variants.

Every number is a :class:`Figure` that says where it comes from: ``published`` (a spec sheet
or paper, with its source), ``derived`` (computed from published quantities, with the
formula) or ``estimated`` (a documented rule, with the rule). In YAML a bare number is a
published figure whose source is the entry's ``source``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CATALOG_SCHEMA_VERSION = 1
PRECISIONS = ("fp32", "tf32", "fp16", "bf16", "fp8", "int8", "int4")
DEVICE_CLASSES = ("cpu", "gpu", "npu", "tpu", "fpga")

#: Bytes in a binary gigabyte (2^30), over 10^9.
GIB = 2 ** 30 / 1e9


class Basis(StrEnum):
    PUBLISHED = "published"
    DERIVED = "derived"
    ESTIMATED = "estimated"
    MEASURED = "measured"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Figure(_Frozen):
    """One number and its provenance."""

    value: float
    basis: Basis = Basis.PUBLISHED
    source: str | None = None
    formula: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_number(cls, data: Any) -> Any:
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            return {"value": data}
        return data

    @model_validator(mode="after")
    def _explained(self) -> Figure:
        if self.basis in (Basis.DERIVED, Basis.ESTIMATED) and not self.formula:
            raise ValueError(f"a {self.basis.value} figure needs the formula or rule it comes from")
        return self


class Flag(_Frozen):
    """A yes/no capability and its source."""

    value: bool
    source: str | None = None


class ChipArchitecture(_Frozen):
    """A chip's architecture generation and the page that names it."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    source: str


class Placement(StrEnum):
    CLOUD = "cloud"
    ON_PREM = "on-prem"
    EDGE = "edge"


class PowerMode(_Frozen):
    """One power mode of a device (a Jetson nvpmodel mode, a cTDP band, a MaxQ setting): its
    power cap and what it leaves of the device's peak. The device's own figures are those of
    its ``default`` mode."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$", description="the vendor's mode name, e.g. '15W'")
    power_w: Figure = Field(description="the mode's power cap (the module or board budget), W")
    peak_scale: Figure = Field(description="the mode's peak throughput as a fraction of the default mode's")
    clock_mhz: Figure | None = Field(None, description="the accelerator's highest clock in the mode")
    memory_bandwidth_gbs: Figure | None = Field(None, description="memory bandwidth in the mode, when it differs")
    default: bool = False


class CloudInstance(_Frozen):
    """A cloud instance type holding several of a device, with its on-demand price."""

    name: str
    devices: int = Field(ge=1)
    usd_per_hour: Figure


class SliceSizes(_Frozen):
    """The device counts a rented slice of the device comes in (Cloud TPU v5e: 1, 4 or 8 chips):
    a replica split over several takes one of them, since no other count can be rented."""

    sizes: list[int] = Field(min_length=1)
    source: str


class Device(_Frozen):
    """A compute device: peak throughput per precision, memory, power, topology and price."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.+-]*$")
    vendor: str = Field(description="canonical vendor tag, e.g. 'nvidia'")
    vendor_name: str
    name: str
    device_class: Literal["cpu", "gpu", "npu", "tpu", "fpga"]
    form_factor: Literal["datacenter", "workstation", "edge", "mobile"]
    family: str | None = None
    architecture: ChipArchitecture | None = Field(None, description="the chip's architecture generation (e.g. "
                                              "'nvidia-hopper'): devices of one reach peak alike on a kind of model")
    vendor_tags: list[str] = Field(default_factory=list, description="other vendor tags it answers to, e.g. 'arm'")
    aliases: list[str] = Field(default_factory=list)
    peak: dict[Literal["fp32", "tf32", "fp16", "bf16", "fp8", "int8", "int4"], Figure] = Field(
        default_factory=dict, description="dense peak per precision, TFLOPS (floats) or TOPS (integers)"
    )
    peak_int8_sparse: Figure | None = None
    headline_ai_perf: str | None = None
    memory_gb: Figure | None = None
    memory_type: str | None = None
    memory_bandwidth_gbs: Figure | None = None
    tdp_w: Figure | None = None
    power_min_w: Figure | None = None
    power_max_w: Figure | None = None
    idle_w: Figure | None = None
    power_modes: list[PowerMode] = Field(
        default_factory=list, description="selectable power modes; the device's figures are its default mode's")
    chips: Figure | None = Field(None, description="accelerator chips (SoCs) on one card; one request runs on one")
    cores: Figure | None = Field(None, description="CPU cores (a CPU spreads one request over them)")
    on_chip_memory_mb: Figure | None = Field(None, description="on-chip SRAM that can hold weights, MB")
    external_memory: Flag | None = Field(
        None, description="false when the accelerator has no DRAM of its own: weights live in on-chip memory "
                          "and what does not fit streams from the host over the host link")
    host_link_gbs: Figure | None = Field(None, description="host interface bandwidth, GB/s each way")
    pipelined: Flag | None = Field(
        None, description="true for a dataflow chip that maps a model's layers on to its own units, so the inputs "
                          "of a stream overlap inside it: its rate at batch 1 is its throughput-mode rate, while "
                          "one input's latency is its pass through every layer")
    interconnect: str | None = None
    interconnect_gbs: Figure | None = Field(None, description="device-to-device bandwidth, GB/s")
    max_group: Figure | None = Field(None, description="how many devices one scale-up group links (sharding limit)")
    slice_sizes: SliceSizes | None = Field(
        None, description="the device counts a rented slice comes in, where not every count up to max_group is "
                          "offered: a replica split over several devices takes one of them")
    mig_instances: Figure | None = Field(
        None, description="how many isolated Multi-Instance GPU slices one device splits into, when it can"
    )
    confidential_computing: Flag | None = None
    datacenter_use: Flag | None = Field(
        None, description="false when the device's licence does not allow datacenter deployment (GeForce parts)")
    cloud_usd_per_hour: Figure | None = None
    cloud_instances: list[CloudInstance] = Field(
        default_factory=list, description="cloud instances with several of the device, for replicas that span "
                                          "several: a multi-GPU instance costs more per device than the 1-device one")
    purchase_usd: Figure | None = None
    placements: list[Placement]
    source: str
    notes: str | None = None

    def cloud_usd_per_device(self, devices: int) -> float | None:
        """The cloud price of one device in a replica of ``devices``: the smallest instance that
        holds them all, per device (its on-demand price over its devices); one device, or no
        instance listed, the 1-device price."""
        if devices > 1 and self.cloud_instances:
            fitting = [i for i in self.cloud_instances if i.devices >= devices]
            by_size = lambda i: i.devices  # noqa: E731
            chosen = min(fitting, key=by_size) if fitting else max(self.cloud_instances, key=by_size)
            return chosen.usd_per_hour.value / chosen.devices
        return self.cloud_usd_per_hour.value if self.cloud_usd_per_hour else None

    @model_validator(mode="after")
    def _one_default_mode(self) -> Device:
        if self.power_modes and sum(m.default for m in self.power_modes) != 1:
            raise ValueError("power_modes name exactly one default mode (the one the device's figures describe)")
        return self

    @property
    def default_mode(self) -> PowerMode | None:
        return next((m for m in self.power_modes if m.default), None)

    def mode(self, name: str) -> PowerMode:
        """The power mode called ``name`` (case-insensitive); ValueError naming the modes there are."""
        for m in self.power_modes:
            if m.name.lower() == name.lower():
                return m
        known = ", ".join(m.name for m in self.power_modes) or "none"
        raise ValueError(f"{self.id} has no power mode {name!r} (modes: {known})")

    @property
    def capacity_gb(self) -> float | None:
        """Device memory in 10^9 bytes, the unit the model's byte counts are in. Memory sizes are
        binary by the industry's usage (JEDEC Standard 100B.01: G = 2^30 for storage capacity;
        an "80 GB" A100 holds 81,920 MiB), so ``memory_gb`` x 2^30 / 10^9."""
        return None if self.memory_gb is None else self.memory_gb.value * GIB

    @property
    def chip_count(self) -> int:
        return int(self.chips.value) if self.chips else 1

    @property
    def title(self) -> str:
        """The device's name with its vendor's, said once ("Raspberry Pi 5", "NVIDIA H100 SXM")."""
        return self.name if self.name.startswith(self.vendor_name) else f"{self.vendor_name} {self.name}"

    def planning_gaps(self) -> list[str]:
        """The figures the planner needs that the entry lacks (nothing is predicted on it without them)."""
        on_chip = self.external_memory is not None and not self.external_memory.value  # weights on the chip
        gaps = [] if self.peak else ["peak (its compute figures)"]
        if self.memory_gb is None and not on_chip:
            gaps.append("memory_gb")
        if self.memory_bandwidth_gbs is None and not on_chip:
            gaps.append("memory_bandwidth_gbs")
        return gaps

    def matches(self, selector: str) -> bool:
        """True when a hardware selector (class, vendor, id or family id) names this device."""
        return selector in (self.id, self.family, self.device_class, self.vendor, *self.vendor_tags)


class ModelKind(StrEnum):
    SINGLE_PASS = "single-pass"
    AUTOREGRESSIVE = "autoregressive"
    DIFFUSION = "diffusion"


class Structure(StrEnum):
    """How a model's compute is laid out, which decides how much of a device's peak it reaches:
    dense convolutions fill matrix units; depthwise-separable convolutions (MobileNet,
    EfficientNet) do little work per byte moved; transformers are matrix multiplications."""

    DENSE_CONV = "dense-conv"
    DEPTHWISE_CONV = "depthwise-conv"
    TRANSFORMER = "transformer"


class ExtendedContext(_Frozen):
    """A longer context than the config's, which the model card documents with rope scaling switched on
    (Qwen2.5: YaRN, factor 4, 32,768 -> 131,072 tokens). The server is launched with it only where a
    request needs it: the card warns that static scaling may lower quality on short texts."""

    tokens: int = Field(gt=0, description="the longest context with the scaling on")
    rope_scaling: dict[str, Any] = Field(description="the rope_scaling the card gives for config.json")
    source: str


class Architecture(_Frozen):
    """A transformer's shape as its published config (a Hugging Face ``config.json``) gives it.

    The KV cache, the decode traffic and the parallel layouts are computed from these: a
    token's KV entry is ``layers x kv_heads x head_dim x 2`` elements. ``experts`` and
    ``experts_per_token`` are set for mixture-of-experts models, whose compute per token counts
    only the active parameters while their memory holds every expert.
    """

    layers: int = Field(gt=0, description="num_hidden_layers")
    hidden_size: int = Field(gt=0, description="hidden_size (d_model)")
    attention_heads: int = Field(gt=0, description="num_attention_heads")
    kv_heads: int = Field(gt=0, description="num_key_value_heads (equal to the attention heads without GQA)")
    head_dim: int = Field(gt=0, description="head_dim, or hidden_size / num_attention_heads")
    intermediate_size: int | None = Field(None, gt=0, description="intermediate_size of the MLP (of one expert)")
    vocab_size: int | None = Field(None, gt=0)
    max_context: int | None = Field(None, gt=0, description="max_position_embeddings, or the context the card states")
    extended_context: ExtendedContext | None = Field(None, description="a longer context with rope scaling, as the card "
                                                                      "documents it")
    experts: int | None = Field(None, gt=0, description="routed experts per MoE layer")
    experts_per_token: int | None = Field(None, gt=0, description="experts each token is routed to")
    active_params_m: Figure | None = Field(None, description="parameters used per token (MoE), millions")
    kv_lora_rank: int | None = Field(None, gt=0, description="kv_lora_rank of multi-head latent attention (MLA)")
    qk_rope_head_dim: int | None = Field(None, gt=0, description="qk_rope_head_dim of multi-head latent attention")
    source: str = Field(description="where the shape is published (the config.json address)")

    @property
    def kv_elements_per_token(self) -> int:
        """KV-cache elements one token adds across all layers: ``layers x kv_heads x head_dim x 2``,
        or, with multi-head latent attention, ``layers x (kv_lora_rank + qk_rope_head_dim)``
        (the compressed latent and the shared rotary key are all that is cached)."""
        if self.kv_lora_rank:
            return self.layers * (self.kv_lora_rank + (self.qk_rope_head_dim or 0))
        return self.layers * self.kv_heads * self.head_dim * 2

    @model_validator(mode="after")
    def _experts_together(self) -> Architecture:
        if self.attention_heads % self.kv_heads:
            raise ValueError("attention_heads must be a multiple of kv_heads (each KV head serves a group of heads)")
        if (self.experts is None) != (self.experts_per_token is None):
            raise ValueError("experts and experts_per_token are given together")
        if self.experts is not None and self.experts_per_token > self.experts:
            raise ValueError("experts_per_token cannot exceed experts")
        return self


#: Documented languages that make a model multilingual (Mixtral's five and up).
MULTILINGUAL = 5


class ModelLanguages(_Frozen):
    """The natural languages a model's documentation says it handles (scripts/model_languages.yaml)."""

    codes: list[str] = Field(min_length=1, description="ISO 639-1 codes the source names")
    count: int | None = Field(None, ge=1, description="the documented total, where larger than the codes named")
    source: str
    quote: str | None = None
    note: str | None = None

    @property
    def total(self) -> int:
        return max(len(self.codes), self.count or 0)

    def handles(self, code: str) -> bool:
        """Whether the documentation names language ``code`` ("multilingual": at least
        MULTILINGUAL languages)."""
        return self.total >= MULTILINGUAL if code == "multilingual" else code in self.codes


class BenchmarkRequest(_Frozen):
    """The request a model's benchmark defines, where it departs from its task's usual shape
    (MLPerf's GPT-J decodes with 4 beams)."""

    prompt_tokens: int | None = Field(None, gt=0)
    output_tokens: int | None = Field(None, gt=0)
    beams: int = Field(1, gt=0, description="beam-search width: every beam is decoded (and cached) per request")
    mean_tokens: float | None = Field(
        None, gt=0, description="single-pass models: the mean tokens of the benchmark's requests before padding, "
                                "which a runtime that skips padding processes and estimates assume by default (a "
                                "fixed-shape engine pays for the input's whole sequence: give it as prompt_tokens)")
    steps: int | None = Field(None, gt=0, description="diffusion models: the denoising steps the FLOPs figure counts")
    step_gflops: float | None = Field(None, gt=0, description="diffusion models: GFLOPs one denoising step takes (its "
                                                              "UNet passes under guidance), so a request of other "
                                                              "steps costs gflops + (its steps - steps) x step_gflops")
    source: str
    formula: str | None = None


class ReleasePrecision(_Frozen):
    """The low-bit format a model's weights are released in, and where that is published."""

    precision: Literal["fp8", "int8", "int4"]
    format: str = Field(description="the release's own name for it (MXFP4, FP8 E4M3)")
    source: str


class ModelVariant(_Frozen):
    """A model variant with its published size, compute and accuracy."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.+-]*$")
    task: str
    family: str
    kind: ModelKind
    params_m: Figure | None = None
    gflops: Figure | None = Field(
        None, description="GFLOPs per request (single-pass), per generated token (autoregressive) or per image"
    )
    input: str | None = None
    accuracy_metric: str | None = None
    accuracy: dict[Literal["fp32", "fp16", "fp8", "int8", "int4"], Figure] = Field(
        default_factory=dict, description="accuracy as a 0..1 fraction (higher is better) per precision the "
                                          "weights are run in: fp32 is the reference release, fp8/int8/int4 "
                                          "its quantised forms (published, or derived or estimated by a rule)"
    )
    accuracy_raw: str | None = Field(None, description="the figure as published, before conversion")
    weights_mb: Figure | None = None
    architecture: Architecture | None = Field(None, description="transformer shape, for LLMs and other transformers")
    hf_repo: str | None = Field(None, pattern=r"^[\w.-]+/[\w.-]+$",
                                description="Hugging Face repository id of the weights, e.g. meta-llama/Llama-3.1-8B-Instruct")
    aliases: list[str] = Field(default_factory=list, description="other names people write for it")
    structure: Structure | None = Field(None, description="how the compute is laid out (dense or depthwise "
                                                          "convolutions, transformer), from the family's paper")
    structure_source: str | None = Field(None, description="where the structure is published")
    layers: Figure | None = Field(
        None, description="weighted layers, each one kernel launch after the standard inference fusions: every "
                          "convolution and fully connected (linear) layer of every branch, with its bias, batch norm "
                          "and activation folded in; a head shared across feature levels counts once per level it "
                          "runs on; an attention block's Q, K and V projections count as one (runtimes fuse them) "
                          "and its weightless score and context products not at all. A text generator without it "
                          "counts 4 per block of its architecture; any other model takes its structure's prior")
    request: BenchmarkRequest | None = Field(
        None, description="the request its benchmark (or the service it is made for) defines, when the task's "
                          "shape does not describe it")
    languages: list[str] | None = Field(None, description="translation: the source and target language it translates, "
                                                          "as ISO 639-1 codes in that order ([en, de]: English to "
                                                          "German)")
    max_input_tokens: Figure | None = Field(
        None, description="the longest input a single-pass or encoder-decoder text model reads, tokens "
                          "(max_position_embeddings of its config); a text generator's is its architecture's context")
    reads: ModelLanguages | None = Field(None, description="the natural languages its documentation says it handles "
                                                           "(None: not documented)")
    speciality: str | None = Field(
        None, description="what a text generator is made for beyond its task ('code': the coder models); it is "
                          "planned only when a request names it or asks for its speciality")
    release_precision: ReleasePrecision | None = Field(
        None, description="a format below 16 bits its weights are released and evaluated in (gpt-oss: MXFP4, as "
                          "int4), so the format is its own, no quantisation of it; None: a 16-bit release")
    license: str | None = None
    source: str
    notes: str | None = None

    def planning_gaps(self) -> list[str]:
        """The figures the planner needs that the entry lacks (it is never planned without them)."""
        return [name for name in ("params_m", "gflops") if getattr(self, name) is None]

    def released_as(self, precision: str) -> ReleasePrecision | None:
        """The release in ``precision`` where the weights are published in it (gpt-oss: MXFP4, as int4): served
        as released, no quantisation of it; None otherwise."""
        release = self.release_precision
        return release if release is not None and release.precision == precision else None

    def needs_extended_context(self, tokens: int) -> bool:
        """Whether ``tokens`` is past the config's context and within the longer one the card documents with
        rope scaling (Qwen2.5's 131,072 with YaRN): planned, and launched with the scaling on."""
        a = self.architecture
        return a is not None and a.max_context is not None and a.extended_context is not None \
            and a.max_context < tokens <= a.extended_context.tokens

    @property
    def benchmark_reference(self) -> bool:
        """An MLPerf reference variant ("-mlperf"): the benchmark's configuration, with its inputs
        (KiTS19 CT volumes, OpenImages at 800x800); planned only when a request names it."""
        return self.id.endswith("-mlperf")

    @property
    def sequence_tokens(self) -> int | None:
        """The sequence length the model's FLOPs are published for, from its input description
        ('seq 384'); None when it states none."""
        found = re.search(r"\bseq (\d+)", self.input or "")
        return int(found[1]) if found else None

    @property
    def output_pixels(self) -> int | None:
        """Pixels of the image the model generates, read from its input description
        (``prompt -> 1024x1024 image``); None for other models."""
        found = re.search(r"->\s*(\d+)\s*x\s*(\d+)\s*image", self.input or "")
        return int(found[1]) * int(found[2]) if found else None


class Family(_Frozen):
    name: str
    aliases: list[str] = Field(default_factory=list)


class DeviceFile(_Frozen):
    schema_version: Literal[1]
    families: dict[str, Family] = Field(default_factory=dict)
    devices: list[Device]


class ModelFile(_Frozen):
    schema_version: Literal[1]
    models: list[ModelVariant]
