"""What a deployment needs to know, whichever plan it comes from: one workload on one device
pool, with its parallel layout, request shape, latency slack and compliance regimes.

A single request's ExecutionPlan and each placement of a FleetPlan become a Target; the
launch and the Kubernetes objects are built from Targets alone.

The LLM serving layout is read from the plan's choice where the planner sets it:
``tensor_parallel`` (else ``shards``), ``pipeline_parallel``, ``expert_parallel``,
``devices_per_replica`` (else TP x PP), and for disaggregated plans ``prefill_workers`` and
``decode_workers`` (with ``prefill_device_id`` / ``decode_device_id`` when the roles run on
different devices).

A plan made on an inventory (devices the user owns) bounds how far its workload may scale out:
``spare_devices`` is what the inventory holds of the plan's device beyond what the plan uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hardware import Catalog, Device, ModelVariant

COMPLIANCE_REGIMES = ("hipaa", "gdpr", "pci-dss", "soc2")
ENCRYPTING_REGIMES = ("hipaa", "gdpr", "pci-dss")


@dataclass(frozen=True)
class Layout:
    """How one replica is split: tensor, pipeline and expert parallel degrees, and devices in all."""

    tensor_parallel: int = 1
    pipeline_parallel: int = 1
    expert_parallel: int = 1
    devices_per_replica: int = 1


@dataclass(frozen=True)
class Roles:
    """A disaggregated plan: prefill and decode workers, each a server of its own."""

    prefill_workers: int
    decode_workers: int
    prefill_device_id: str | None = None
    decode_device_id: str | None = None


@dataclass(frozen=True)
class TrainingSpec:
    epochs: int
    batch_size: int
    devices: int
    method: str = "full"  # the plan's fine-tuning method (full, lora, qlora)
    sharded: bool = False  # the training state sharded over the devices (FSDP), as the plan sizes it


@dataclass(frozen=True)
class Sharing:
    """A slice of a shared GPU: a MIG profile or a time-slicing share."""

    mig_profile: str | None = None
    time_slices: int | None = None


@dataclass(frozen=True)
class Target:
    name: str
    model: ModelVariant
    device: Device
    precision: str
    batch_size: int
    replicas: int
    layout: Layout
    runtime: str
    serving: str
    prompt_tokens: int
    output_tokens: int
    latency_ms: float
    latency_bound_ms: float | None
    memory_gb: float
    catalog_hash: str
    regimes: tuple[str, ...] = ()
    roles: Roles | None = None
    training: TrainingSpec | None = None
    sharing: Sharing | None = None
    labels: dict[str, str] = field(default_factory=dict)
    #: devices (or slices of shared ones) of the plan's pool the plan leaves unused, when it was made
    #: on an inventory; None when the devices are rented (as many as the cloud gives)
    spare_devices: int | None = None

    @property
    def encrypting(self) -> bool:
        return any(r in ENCRYPTING_REGIMES for r in self.regimes)

    @property
    def queue_slack_ms(self) -> float:
        """How long a request may wait before the latency bound is missed: the bound less the
        predicted latency, or (without a bound) one predicted latency."""
        if self.latency_bound_ms is not None:
            return max(self.latency_bound_ms - self.latency_ms, 0.0)
        return self.latency_ms


def k8s_name(*parts: str) -> str:
    """A DNS-1123 label from the parts (lower case, dashes, at most 50 characters)."""
    raw = "-".join(parts)
    return re.sub(r"[^a-z0-9-]+", "-", raw.lower()).strip("-")[:50].rstrip("-")


def layout_of(choice) -> Layout:
    """The parallel layout of a plan's choice (the fields the serving planner adds, where set)."""
    tp = getattr(choice, "tensor_parallel", None) or choice.shards
    pp = getattr(choice, "pipeline_parallel", None) or 1
    ep = getattr(choice, "expert_parallel", None) or 1
    devices = getattr(choice, "devices_per_replica", None) or tp * pp
    return Layout(tensor_parallel=tp, pipeline_parallel=pp, expert_parallel=ep, devices_per_replica=devices)


def roles_of(choice) -> Roles | None:
    prefill = getattr(choice, "prefill_workers", None)
    decode = getattr(choice, "decode_workers", None)
    if not prefill or not decode:
        return None
    return Roles(prefill_workers=prefill, decode_workers=decode,
                 prefill_device_id=getattr(choice, "prefill_device_id", None),
                 decode_device_id=getattr(choice, "decode_device_id", None))


def request_shape(model: ModelVariant, workload) -> tuple[int, int]:
    """Prompt and output tokens of a request: as the request states them, else the task's shape."""
    from planner.perf.factors import load_factors

    shape = load_factors().shape_for(model.task)
    prompt = workload.prompt_tokens or (model.request.prompt_tokens if model.request else None) or shape.prompt_tokens
    output = workload.output_tokens or (model.request.output_tokens if model.request else None) or shape.output_tokens
    return prompt, output


def latency_bound(constraints) -> float | None:
    return next((c.value for c in constraints if c.metric.value == "latency" and c.op == "<="), None)


def owned_count(plan, device: Device) -> int | None:
    """How many slots of ``device`` the inventory the plan was made on holds (the plan's
    ``inventory``: an inventory file, or the devices the request says it has); None when it was
    made on none."""
    if not plan.inventory:
        return None
    return plan.inventory.get(device.id, 0)


def spare_devices(plan, device: Device) -> int | None:
    """Slots (devices, or slices of shared ones) of the plan's inventory the plan does not use (never
    below 0); None without an inventory."""
    owned = owned_count(plan, device)
    if owned is None:
        return None
    return max(0, owned - plan.choice.replicas * layout_of(plan.choice).devices_per_replica)


def from_plan(plan, catalog: Catalog) -> Target:
    """The Target of a single request's ExecutionPlan."""
    choice = plan.choice
    model = catalog.model(choice.model_id)
    prompt, output = request_shape(model, plan.intent.workload)
    job = plan.job
    return Target(
        name=k8s_name(choice.model_id, choice.device_id), model=model, device=catalog.device(choice.device_id),
        precision=choice.precision, batch_size=choice.batch_size, replicas=choice.replicas,
        layout=layout_of(choice), runtime=choice.runtime, serving=choice.serving,
        prompt_tokens=prompt, output_tokens=output, latency_ms=plan.metrics.latency_ms,
        latency_bound_ms=latency_bound(c.constraint for c in plan.constraints),
        memory_gb=plan.metrics.memory_gb / max(1, choice.replicas if job is None else 1),
        catalog_hash=plan.catalog_hash,
        regimes=tuple(s.name for s in plan.policies if s.name in COMPLIANCE_REGIMES),
        roles=roles_of(choice),
        training=None if job is None else TrainingSpec(epochs=job.epochs, batch_size=job.batch_size,
                                                       devices=job.devices, method=job.method, sharded=job.sharded),
        spare_devices=spare_devices(plan, catalog.device(choice.device_id)),
    )
