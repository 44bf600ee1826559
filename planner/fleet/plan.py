"""The fleet plan: where every workload runs, what could not be placed and why, and how
busy each pool of devices is."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from planner.plan import _Frozen

FLEET_PLAN_SCHEMA_VERSION = "1"


class Assignment(_Frozen):
    """One placed workload: its configuration, how much of its pool it takes, and its SLOs."""

    workload: str
    kind: Literal["inference", "training"]
    priority: int
    pool: str = Field(description="the inventory pool: a device id, with its sharing when shared")
    device_id: str
    model_id: str
    precision: str
    batch_size: int = Field(ge=1)
    replicas: int = Field(ge=1, description="inference: serving replicas; training: 1 job")
    slots_per_replica: int = Field(description="pool slots one replica takes (devices, or slices of a shared device)")
    slots: int
    replicas_per_queue: int = Field(1, description="inference: replicas load-balanced behind one queue; the "
                                                   "replicas form replicas / replicas_per_queue such queues")
    latency_ms: float | None = Field(None, description="inference: predicted service time of one batch")
    p99_ms: float | None = Field(None, description="inference: predicted 99th-percentile latency of a request at "
                                                   "the planned load (batch fill, M/D/c queueing wait, service, "
                                                   "serving hop); the SLO holds at that load and any lower one")
    latency_slo_ms: float | None = None
    ttft_ms: float | None = Field(None, description="a served LLM: predicted time to first token at its batch")
    tpot_ms: float | None = Field(None, description="a served LLM: predicted time per output token at its batch")
    requested_rps: float | None = None
    users: int | None = Field(None, description="inference: the concurrent users an LLM service holds, a sequence slot "
                                                "each, where its request gives them and no rate (its requested_rps is "
                                                "then the least they send at the slowest response its bounds allow)")
    served_rps: float | None = Field(None, description="inference: requests/s this placement serves")
    rate_share: float | None = Field(None, description="inference: this placement's share of the requested rate "
                                                       "(a service may be served from several pools)")
    job_hours: float | None = Field(None, description="training: predicted time to finish")
    compute_share: float | None = Field(None, description="training: the share of each of its slots' compute it "
                                                          "is planned to get: 1 on slots of its own; below 1 beside "
                                                          "inference, on slots inference replicas hold (the share "
                                                          "they leave idle, rounded down to a band; they preempt "
                                                          "it whenever they have work)")
    deadline_hours: float | None = None
    power_w: float | None
    cost_usd_per_hour: float | None
    slo_met: bool = Field(description="the workload's whole request rate is served within the latency SLO (by "
                                      "all its placements together), or the job ends by its deadline")


class Unplaced(_Frozen):
    """A workload placed only in part, or not at all, and why."""

    workload: str
    priority: int
    served_share: float = Field(0.0, description="share of the request rate served (0 when not placed)")
    reason: str


class PoolUse(_Frozen):
    """How much of one pool the plan takes."""

    pool: str
    device_id: str
    devices: int
    slots: int
    slots_used: int = Field(description="slots held by workloads")
    slots_shared: int = Field(0, description="slots held by inference replicas that also run a training job in "
                                             "their idle share")
    allocated: float = Field(description="share of the pool's slots given to workloads")
    busy: float = Field(description="share of the pool's capacity doing work at the planned request rates")
    power_w: float | None


class PriorityMet(_Frozen):
    """How many workloads of one priority meet their SLOs."""

    priority: int
    met: int
    workloads: int


class FleetTotals(_Frozen):
    workloads: int
    placed: int = Field(description="workloads placed, in full or in part")
    slo_met: int = Field(description="workloads that meet their SLOs")
    slo_met_by_priority: list[PriorityMet] = Field(
        default_factory=list, description="the same per priority, highest first: the SLO level weighs priorities "
                                          "strictly, so its relative gap is mostly the top priority's")
    requested_rps: float
    served_rps: float
    power_w: float
    cost_usd_per_hour: float
    cost_known: bool = Field(description="false when some placed workload runs on a device without a price")
    power_known: bool = Field(True, description="false when some placed workload runs on a device without a "
                                                "published power: power_w then counts the others only")


class FleetSolverReport(_Frozen):
    status: str = Field(description="OPTIMAL, or FEASIBLE when the time limit stopped a level or left later "
                                    "levels unsolved (fewer gaps than levels)")
    levels: list[str] = Field(description="the lexicographic objective, most important first")
    gaps: list[float] = Field(description="relative gap to the solver's bound at each level solved (0 when proven)")
    options: int = Field(description="configurations the model chose among, after pruning")
    time_limit_s: float
    seed: int
    workers: int


class Change(_Frozen):
    """A workload a re-plan moved, stopped, started, dropped or scaled where it runs, and why."""

    workload: str
    change: Literal["moved", "stopped", "started", "removed", "scaled"]
    before: list[str] = Field(default_factory=list, description="its placements in the previous plan")
    after: list[str] = Field(default_factory=list, description="its placements now")
    reason: str


class Replan(_Frozen):
    """What re-planning against a running plan changed."""

    kept: int = Field(description="running workloads kept where they run")
    moved: int = Field(description="running workloads moved or stopped")
    changes: list[Change]


class FleetPlan(_Frozen):
    schema_version: str = FLEET_PLAN_SCHEMA_VERSION
    objective: str
    assignments: list[Assignment]
    unplaced: list[Unplaced]
    utilisation: list[PoolUse]
    totals: FleetTotals
    solver: FleetSolverReport
    assumptions: list[str]
    catalog_hash: str
    replan: Replan | None = Field(None, description="against a previous plan (--previous): what moved and why")
