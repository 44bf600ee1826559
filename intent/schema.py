"""The typed Intent: what a request asks for, in the public JSON contract (schema_version "2").

Field names, enum spellings and canonical units follow ``docs/intent-contract.md``;
``Intent.model_dump(mode="json")`` emits exactly that object. This module imports only
pydantic, so importing the types never pulls in the planner or an LLM client.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator

SCHEMA_VERSION = "2"
#: How a chat joins a follow-up to the request's text ("serve llama 3 8b / 不要英伟达").
FOLLOW_UP_JOIN = " / "


class Task(StrEnum):
    """Hugging Face pipeline tags the planner knows."""

    IMAGE_CLASSIFICATION = "image-classification"
    OBJECT_DETECTION = "object-detection"
    IMAGE_SEGMENTATION = "image-segmentation"
    TEXT_CLASSIFICATION = "text-classification"
    TOKEN_CLASSIFICATION = "token-classification"
    QUESTION_ANSWERING = "question-answering"
    SUMMARIZATION = "summarization"
    TRANSLATION = "translation"
    TEXT_GENERATION = "text-generation"
    AUTOMATIC_SPEECH_RECOGNITION = "automatic-speech-recognition"
    FEATURE_EXTRACTION = "feature-extraction"
    TEXT_TO_IMAGE = "text-to-image"


class Metric(StrEnum):
    LATENCY = "latency"
    THROUGHPUT = "throughput"
    ACCURACY = "accuracy"
    POWER = "power"
    ENERGY = "energy"
    MEMORY = "memory"
    COST = "cost"
    # text generation (schema version 2)
    TTFT = "ttft"
    TPOT = "tpot"
    TOKEN_THROUGHPUT = "token_throughput"
    TOKEN_COST = "token_cost"
    # training, fine-tuning and batch jobs (schema version 2)
    JOB_TIME = "job_time"
    JOB_COST = "job_cost"


#: The canonical unit of every metric; constraint values are always in these units.
CANONICAL_UNITS: dict[Metric, str] = {
    Metric.LATENCY: "ms",
    Metric.THROUGHPUT: "rps",
    Metric.ACCURACY: "fraction",
    Metric.POWER: "W",
    Metric.ENERGY: "J",
    Metric.MEMORY: "GB",
    Metric.COST: "USD/h",
    Metric.TTFT: "ms",
    Metric.TPOT: "ms",
    Metric.TOKEN_THROUGHPUT: "tokens/s",
    Metric.TOKEN_COST: "USD/Mtok",
    Metric.JOB_TIME: "h",
    Metric.JOB_COST: "USD",
}

#: The direction a bare bound takes ("30 FPS" is a floor, "10 ms" a ceiling).
NATURAL_OP: dict[Metric, str] = {
    Metric.LATENCY: "<=",
    Metric.THROUGHPUT: ">=",
    Metric.ACCURACY: ">=",
    Metric.POWER: "<=",
    Metric.ENERGY: "<=",
    Metric.MEMORY: "<=",
    Metric.COST: "<=",
    Metric.TTFT: "<=",
    Metric.TPOT: "<=",
    Metric.TOKEN_THROUGHPUT: ">=",
    Metric.TOKEN_COST: "<=",
    Metric.JOB_TIME: "<=",
    Metric.JOB_COST: "<=",
}

#: Metrics that only text generation has, and those that only jobs (training, fine-tuning, batch) have.
TOKEN_METRICS = frozenset({Metric.TTFT, Metric.TPOT, Metric.TOKEN_THROUGHPUT, Metric.TOKEN_COST})
JOB_METRICS = frozenset({Metric.JOB_TIME, Metric.JOB_COST})


class Sense(StrEnum):
    MINIMIZE = "minimize"
    MAXIMIZE = "maximize"


class Deployment(StrEnum):
    EDGE = "edge"
    CLOUD = "cloud"
    ON_PREM = "on-prem"


class Precision(StrEnum):
    FP32 = "fp32"
    TF32 = "tf32"
    FP16 = "fp16"
    BF16 = "bf16"
    FP8 = "fp8"
    INT8 = "int8"
    INT4 = "int4"


class Regime(StrEnum):
    HIPAA = "hipaa"
    GDPR = "gdpr"
    PCI_DSS = "pci-dss"
    SOC2 = "soc2"


class WorkloadKind(StrEnum):
    INFERENCE = "inference"
    TRAINING = "training"
    FINE_TUNING = "fine-tuning"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Objective(_Frozen):
    """The one thing to optimise."""

    metric: Metric
    sense: Sense


class Constraint(_Frozen):
    """A hard bound on one metric, in that metric's canonical unit. The value is finite: an
    infinite or NaN bound is not a bound (and not JSON)."""

    metric: Metric
    op: Literal["<=", ">="]
    value: float = Field(allow_inf_nan=False, description="a finite number (NaN is never a bound)")
    unit: str
    source: str | None = Field(None, description="the words of the request the bound was read from, as the parser "
                                                "saw them (lower case, numbers in digits); added to the contract")
    per_device: bool = Field(False, description="a memory, power or price bound stated for each device ('per GPU', "
                                                "'W per card', '每张卡', 'no GPU above $1/hr'); "
                                                "otherwise it holds for the whole deployment; added to the contract")

    soft: bool = Field(False, description="a wish, not a requirement ('nice to have: under $1.5/hour', 'ideally "
                                          "under 100 ms', 'if possible'): held when a plan can, else the plan is made "
                                          "without it and says so; added to the contract")

    @model_serializer(mode="wrap")
    def _per_device_only_when_set(self, handler):
        """``per_device`` and ``soft`` are written only when true, so every other bound reads as the
        contract shows it."""
        data = handler(self)
        if isinstance(data, dict):
            for flag in ("per_device", "soft"):
                if not data.get(flag):
                    data.pop(flag, None)
        return data

    @model_validator(mode="after")
    def _unit_is_canonical(self) -> Constraint:
        expected = CANONICAL_UNITS[self.metric]
        if self.unit != expected:
            raise ValueError(f"{self.metric.value} bounds are in {expected!r}, not {self.unit!r}")
        return self

    def describe(self) -> str:
        """A short human form, e.g. ``latency <= 10 ms`` or ``accuracy >= 99%``."""
        if self.metric == Metric.ACCURACY:
            return f"accuracy {self.op} {self.value * 100:g}%"
        if self.metric == Metric.JOB_COST:
            return f"job_cost {self.op} ${self.value:g}"
        return f"{self.metric.value} {self.op} {self.value:g} {self.unit}" + (" per device" if self.per_device else "")


class OwnedDevice(_Frozen):
    """Devices the request says it has ("I have 4 A100s"): a catalog device or family id and a count."""

    device: str
    count: int = Field(ge=1)


class HardwareSelection(_Frozen):
    """Device classes, vendors or catalog ids the request requires or forbids, and the devices it owns."""

    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    owned: list[OwnedDevice] = Field(
        default_factory=list, description="devices the request says it has, with counts; each is also included"
    )
    max_devices: int | None = Field(
        None, ge=1, description="the most devices the whole deployment or job may use, where the request counts "
                                "devices without naming one ('on a single GPU', 'no more than 16 GPUs', '用4张卡', "
                                "'单卡部署'); a project addition to the contract")
    preferred: list[str] = Field(
        default_factory=list, description="included devices the request only prefers ('H100 preferred', "
                                          "'国产芯片优先'): when no plan on them exists, the plan is made on the "
                                          "others and says so; a project addition to the contract")
    avoided: list[str] = Field(
        default_factory=list, description="excluded devices the request only wishes to avoid ('no NVIDIA if "
                                          "possible', 'prefer non-NVIDIA hardware', '尽量不用英伟达'): when no plan "
                                          "without them exists, the plan is made with them and says so; a project "
                                          "addition to the contract")


class DifferentialPrivacy(_Frozen):
    """A differential-privacy request; epsilon is None when no budget is named yet."""

    epsilon: float | None = Field(None, allow_inf_nan=False)
    delta: float | None = Field(None, allow_inf_nan=False)


class Policies(_Frozen):
    watermark: bool = False
    differential_privacy: DifferentialPrivacy | None = None
    compliance: list[Regime] = Field(default_factory=list)


class Workload(_Frozen):
    kind: WorkloadKind = WorkloadKind.INFERENCE
    model: str | None = None
    dataset_records: int | None = None
    dataset_tokens: int | None = Field(None, ge=1, description="training data stated as tokens ('on 2 billion "
                                       "tokens', '用10亿token', 'a 50M-token corpus'): the tokens the job trains on in "
                                       "one pass; a project addition to the contract")
    epochs: int | None = None
    batch_size: int | None = None
    prompt_tokens: int | None = Field(None, ge=1, description="tokens into one request (text models), as stated")
    output_tokens: int | None = Field(None, ge=1, description="tokens one request generates, as stated")
    concurrency: int | None = Field(None, ge=1, description="concurrent users, sessions or streams held at once")
    languages: list[str] | None = Field(None, min_length=2, max_length=2,
                                        description="translation: source and target language as ISO 639-1 codes "
                                                    "('German to English' is [de, en]); a project addition")
    content_languages: list[str] | None = Field(
        None, min_length=1, description="the languages of the text or speech a request other than a translation "
                                        "handles ('Chinese product reviews', '中文情感分析', 'Mandarin calls'), as ISO "
                                        "639-1 codes, 'multilingual' for many; for a translation with no direction "
                                        "stated ('中英互译', 'between English and Japanese'), the two languages it "
                                        "goes between, both ways; a project addition to the contract")
    sources: int | None = Field(None, ge=2, description="streams or cameras a rate is stated for each of ('4 camera "
                                                        "streams at 30 fps each', '10路摄像头，每路25帧'): the load is "
                                                        "the rate times this; a project addition to the contract")
    edge_site: str | None = Field(None, description="a place on the edge the request names without a deployment word "
                                                    "('in-car', 'on a drone', 'battery-powered', '车载'), as written: "
                                                    "`deployment` stays null, as the contract reads it, and the plan "
                                                    "runs on an edge board; a project addition to the contract")
    min_replicas: int | None = Field(None, ge=2, description="the fewest serving replicas the request asks for, for "
                                                          "availability ('at least 2 replicas for HA', '3副本高可用'): "
                                                          "more are planned when the load needs them; a project "
                                                          "addition to the contract")
    spare_replicas: int | None = Field(None, ge=1, le=8, description="serving replicas beyond what the load needs, "
                                                                  "so the service holds its load with that many down "
                                                                  "('N+1 redundancy': 1, 'N+2': 2, 'one spare replica', "
                                                                  "'N+1冗余'); a project addition to the contract")
    steps: int | None = Field(None, ge=1, description="text-to-image: denoising steps an image, as stated ('30 steps', "
                                                      "'50步'); a project addition to the contract")
    tensor_parallel: int | None = Field(None, ge=1, le=64, description="the tensor-parallel degree the request asks "
                                        "for ('TP=2', '--tensor-parallel-size 8', '张量并行4'): devices one model "
                                        "instance splits each layer over; a project addition to the contract")
    pipeline_parallel: int | None = Field(None, ge=1, le=64, description="the pipeline stages the request asks for "
                                          "('PP=2', '2 pipeline stages'); a project addition to the contract")
    models: list[str] = Field(
        default_factory=list,
        description="catalog variants a named model family allows (\"yolov8\" -> yolov8n, yolov8s); empty: any",
    )
    model_as_written: str | None = Field(
        None, description="a model the request names that is not in the catalog, as written"
    )


class Intent(_Frozen):
    """A parsed request: task, objective, hard constraints, hardware, precisions and policies."""

    schema_version: Literal["2"] = SCHEMA_VERSION
    text: str = ""
    task: Task | None = None
    objective: Objective | None = None
    tie_breakers: list[Objective] = Field(
        default_factory=list, description='preferences named after the objective with "then" ("cheapest, then fastest")'
    )
    constraints: list[Constraint] = Field(default_factory=list)
    deployment: Deployment | None = None
    hardware: HardwareSelection = Field(default_factory=HardwareSelection)
    precisions: list[Precision] = Field(default_factory=list)
    max_accuracy_loss: float | None = Field(
        None, gt=0, lt=1, description="the most accuracy a format may lose against the model's full-precision figure, "
        "as a share of it ('accuracy within 1% of fp32' is 0.01): a 16-bit format counts as the model's own, a lower "
        "one only where the catalog gives its accuracy there")
    policies: Policies = Field(default_factory=Policies)
    workload: Workload = Field(default_factory=Workload)
    assumptions: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(
        default_factory=list,
        description="Every part of the request that looks like a requirement and that the Intent does not hold, "
                    "quoted, with why; and what looks wrong (contradictions, impossible values).",
    )

    @model_validator(mode="before")
    @classmethod
    def _upgrade_version_1(cls, data):
        """Version 2 only adds to version 1, so a stored version-1 intent reads as version 2."""
        if isinstance(data, dict) and data.get("schema_version") == "1":
            return {**data, "schema_version": SCHEMA_VERSION}
        return data

    @property
    def first_text(self) -> str:
        """The request's own words, without a chat's follow-ups (their language is the
        conversation's, not the content's)."""
        return self.text.split(FOLLOW_UP_JOIN)[0]

    def bound(self, metric: Metric, op: str) -> float | None:
        """The value of the bound on ``metric`` with ``op``, or None."""
        for c in self.constraints:
            if c.metric == metric and c.op == op:
                return c.value
        return None
