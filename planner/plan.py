"""The execution plan: a typed, explained, reproducible document.

It holds the intent, the chosen configuration, predicted metrics with their provenance,
how each constraint binds, runner-up alternatives and near misses, assumptions, policy
sections, ordered steps, the solver's status, and hashes of the catalog and policy.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from intent.schema import Constraint, Intent

PLAN_SCHEMA_VERSION = "1"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Choice(_Frozen):
    """What runs where."""

    model_id: str
    device_id: str
    device_name: str
    precision: str
    batch_size: int
    replicas: int
    shards: int = Field(1, description="devices one model instance is split across (tensor x pipeline parallel)")
    placement: str
    runtime: str
    serving: str
    power_mode: str | None = Field(None, description="the device's power mode (Jetson nvpmodel mode, MaxQ ...)")
    devices_per_replica: int = Field(1, description="devices one replica uses: shards, or every worker of a "
                                                    "disaggregated unit")
    tensor_parallel: int = Field(1, description="tensor-parallel degree within a scale-up domain")
    pipeline_parallel: int = Field(1, description="pipeline stages, one scale-up domain each")
    expert_parallel: int = Field(1, description="devices a mixture of experts spreads its experts over")
    prefill_workers: int | None = Field(None, description="disaggregated serving: prefill workers per replica")
    decode_workers: int | None = Field(None, description="disaggregated serving: decode workers per replica")

    def layout(self) -> str:
        """The parallel layout in a few characters: 'TP4', 'TP8xPP2', '1P2D (TP8)', with replicas."""
        if self.prefill_workers:
            inner = f"{self.prefill_workers}P{self.decode_workers}D"
            inner += f" (TP{self.tensor_parallel})" if self.tensor_parallel > 1 else ""
        else:
            inner = f"TP{self.tensor_parallel}" if self.tensor_parallel > 1 else "1 device"
            inner += f"xPP{self.pipeline_parallel}" if self.pipeline_parallel > 1 else ""
        total = self.devices_per_replica * self.replicas
        return f"{inner} x{self.replicas} = {total} device{'s' if total != 1 else ''}"


class Metrics(_Frozen):
    """Predicted figures for the whole deployment (all replicas), with where each comes from."""

    latency_ms: float
    throughput_rps: float
    power_w: float | None
    energy_j: float | None
    memory_gb: float = Field(description="device memory the deployment uses, over all its devices")
    cost_usd_per_hour: float | None
    accuracy: float | None
    bound_by: str = Field(description="what limits a batch step: compute or memory bandwidth")
    provenance: dict[str, str]
    ttft_ms: float | None = Field(None, description="text generation: time to the first token")
    tpot_ms: float | None = Field(None, description="text generation: time per output token")
    tokens_per_s: float | None = Field(None, description="text generation: output tokens per second, all replicas")
    usd_per_mtok: float | None = Field(None, description="text generation: dollars per million output tokens")
    concurrency: int | None = Field(None, description="sequences the deployment holds at once (batch x decode "
                                                      "workers x replicas)")
    memory_per_device_gb: float | None = Field(None, description="device memory one device uses")
    latency_basis: str | None = Field(None, description="what latency_ms is: one batch's service time, or a "
                                                        "percentile at the requested rate")


class ConstraintCheck(_Frozen):
    """How one hard constraint stands in the plan."""

    constraint: Constraint
    predicted: float | None
    slack: float | None = Field(description="distance to the bound, in the constraint's unit")
    binding: bool = Field(description="true when the bound decided the choice (slack within 5%)")


class Alternative(_Frozen):
    """A configuration that was not chosen and why."""

    choice: Choice
    metrics: Metrics
    feasible: bool
    why_not: str


class Pool(_Frozen):
    """One device type's share of a service that several device types serve together."""

    choice: Choice
    metrics: Metrics


class ParetoPoint(_Frozen):
    """A configuration no other beats on every one of objective, latency, power, cost and accuracy."""

    choice: Choice
    metrics: Metrics
    chosen: bool


class PolicySection(_Frozen):
    """A concrete policy: its parameters, what caused it, and its steps."""

    name: str
    parameters: dict[str, str | float | int | bool | None | list[str]]
    caused_by: str
    steps: list[str] = Field(default_factory=list)
    latency_overhead_ms: float = 0.0


class TrainingJob(_Frozen):
    """What a training or fine-tuning job takes, end to end."""

    records: int
    epochs: int
    batch_size: int
    steps: int
    samples: int
    devices: int
    hours: float
    cost_usd: float | None
    energy_kwh: float | None
    differential_privacy: bool
    method: str = Field("full", description="full fine-tuning, or a parameter-efficient method: lora, qlora")
    sharded: bool = Field(False, description="the training state is sharded over the devices (FSDP / ZeRO-3), each "
                                             "holding a 1/devices share, as it fits no one device whole")
    tokens_per_sample: int | None = Field(None, description="a text generator's tokens in one training example (its "
                                                            "work a sample grows with them); None for other models")


class SolverReport(_Frozen):
    status: str = Field(description="OPTIMAL or FEASIBLE (stopped at the time limit)")
    objective: str
    objective_value: float
    gap: float = Field(0.0, description="relative gap to the solver's bound on the objective (0 when optimal)")
    tie_breakers: list[str]
    candidates: int
    time_limit_s: float
    seed: int
    workers: int


TCO = "total cost of ownership"


class CostTerms(_Frozen):
    """How a plan's hourly cost is made up (whole deployment, USD per hour)."""

    basis: str = Field(description="'cloud on-demand price', 'inventory price' or 'total cost of ownership'")
    devices: float = Field(description="devices in the deployment (a slice counts as its share)")
    owned: bool = Field(description="the devices are the user's own: their purchase is not counted")
    total_usd_per_hour: float | None
    purchase_usd_per_hour: float | None = Field(None, description="amortised purchase (TCO; 0 for owned devices)")
    power_usd_per_hour: float | None = Field(None, description="power at the planned load x $/kWh x PUE (TCO; "
                                                                "no PUE at the edge)")
    hosting_usd_per_hour: float | None = Field(None, description="TDP x hosting $/kW-month (TCO; none at the edge)")
    rule: str | None = Field(None, description="the TCO rule and the values used")

    def lines(self) -> list[str]:
        """The terms in words, for a terminal view."""
        if self.total_usd_per_hour is None:
            return [f"unknown: {self.basis}"]
        head = f"${self.total_usd_per_hour:,.3f}/h for {self.devices:g} device(s): {self.basis}"
        if self.basis != TCO:
            return [head]
        owned = " (owned: purchase already paid)" if self.owned else ""
        terms = (f"purchase ${self.purchase_usd_per_hour:,.3f}/h{owned} + power ${self.power_usd_per_hour:,.3f}/h"
                 f" + hosting ${self.hosting_usd_per_hour:,.3f}/h")
        return [head, terms, self.rule or ""]


class ExecutionPlan(_Frozen):
    schema_version: str = PLAN_SCHEMA_VERSION
    intent: Intent
    choice: Choice
    metrics: Metrics
    objective_default: bool = Field(description="true when the request named no objective and the default was used")
    constraints: list[ConstraintCheck]
    why: list[str]
    alternatives: list[Alternative]
    pareto_front: list[ParetoPoint] = Field(default_factory=list, description="filled when asked for (--pareto)")
    job: TrainingJob | None = Field(None, description="training and fine-tuning plans: the job as a whole")
    pools: list[Pool] = Field(default_factory=list, description="when several device types serve the model "
                              "together (a cost objective on a mixed inventory): each pool; choice is the "
                              "largest, metrics the whole service's")
    assumptions: list[str]
    warnings: list[str]
    policies: list[PolicySection]
    steps: list[str]
    solver: SolverReport
    catalog_hash: str
    policy_hash: str | None = None
    cost: CostTerms | None = Field(None, description="how the hourly cost is made up: cloud price, inventory price, "
                                                     "or total cost of ownership with its terms")
    inventory: dict[str, int] = Field(default_factory=dict, description="the devices the plan was made on (an "
                                      "inventory, or the devices the request says it has), by id, with their slots "
                                      "(devices, or slices of shared ones); empty when it may rent as many as it needs")
