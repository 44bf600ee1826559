"""A fleet plan as Kubernetes objects: every placement's workload, with MIG slices requested as
the NVIDIA device plugin names them (nvidia.com/mig-<profile>, mixed strategy) and the GPU
Operator configuration the sharing needs: a MIG layout per MIG pool and a time-slicing
device-plugin config per time-sliced pool, each selected by a node label."""

from __future__ import annotations

from hardware import Catalog
from intent.deploy.config import k8s_settings
from intent.deploy.launch import ExportError
from intent.deploy.target import (
    COMPLIANCE_REGIMES,
    Layout,
    Sharing,
    Target,
    TrainingSpec,
    k8s_name,
    request_shape,
)
from intent.deploy.workloads import DEFAULT_OPTIONS, EmitOptions, manifests

MIG_CONFIG_LABEL = "nvidia.com/mig.config"


def mig_profile(device_id: str, slices: int) -> str:
    """The MIG profile that splits the GPU into ``slices`` equal instances (or the smallest profile with
    at least that many instances)."""
    profiles = k8s_settings()["mig_profiles"].get(device_id)
    fitting = sorted(n for n in (profiles or {}) if n >= slices)
    if not fitting:
        refused = ExportError(f"{device_id} has no MIG profile with {slices} instances per GPU "
                              f"(known: {', '.join(str(n) for n in sorted(profiles or {})) or 'none'}): the profiles "
                              "of each GPU are listed in intent/data/k8s.yaml (mig_profiles), from NVIDIA's MIG user "
                              "guide, and a GPU of your own catalog has none there")
        refused.hint = "share the device with time_slicing in the fleet's inventory, or plan it whole"
        raise refused
    return profiles[fitting[0]]


def mig_config_name(device_id: str, slices: int) -> str:
    return f"intentctl-{device_id}-x{slices}"


def placement_names(plan) -> list[str]:
    """One Kubernetes name per placement, in the plan's order: the workload's name, or, for
    a service served from several pools, the workload's and the pool's (numbered if still
    the same)."""
    counts: dict[str, int] = {}
    for a in plan.assignments:
        counts[a.workload] = counts.get(a.workload, 0) + 1
    names: list[str] = []
    for a in plan.assignments:
        name = k8s_name(a.workload) if counts[a.workload] == 1 else k8s_name(a.workload, a.pool)
        base, n = name, 2
        while name in names:
            name, n = k8s_name(base[:46], str(n)), n + 1
        names.append(name)
    return names


def assignment_target(assignment, workload, item, catalog: Catalog, name: str | None = None,
                      spare: int | None = None) -> Target:
    """The Target of one placement (``workload``: the fleet workload; ``item``: its inventory
    pool; ``name``: its Kubernetes name, the workload's by default; ``spare``: the pool's slots
    no placement uses)."""
    from planner.perf.factors import runtime_of, training_runtime_for

    model = catalog.model(assignment.model_id)
    device = catalog.device(assignment.device_id)
    rule = runtime_of(device, model)
    prompt, output = request_shape(model, workload.intent.workload)
    shared = item.sharing is not None
    sharing = None
    if shared and item.sharing.mig:
        sharing = Sharing(mig_profile=mig_profile(device.id, item.sharing.mig))
    elif shared:
        sharing = Sharing(time_slices=item.sharing.time_slicing)
    per_replica = assignment.slots_per_replica
    layout = Layout(devices_per_replica=per_replica) if shared else Layout(
        tensor_parallel=per_replica, devices_per_replica=per_replica)
    training = None
    if assignment.kind == "training":
        training = TrainingSpec(epochs=workload.intent.workload.epochs or 1, batch_size=assignment.batch_size,
                                devices=assignment.slots)
    return Target(
        name=name or k8s_name(assignment.workload), model=model, device=device, precision=assignment.precision,
        batch_size=assignment.batch_size, replicas=assignment.replicas, layout=layout,
        runtime=rule.runtime if training is None else training_runtime_for(device).runtime,
        serving=rule.serving if training is None else "training job",
        prompt_tokens=prompt, output_tokens=output, latency_ms=assignment.latency_ms or 0.0,
        latency_bound_ms=assignment.latency_slo_ms, memory_gb=0.0, catalog_hash="",
        regimes=tuple(r.value for r in workload.intent.policies.compliance if r.value in COMPLIANCE_REGIMES),
        training=training, sharing=sharing, spare_devices=spare)


def spare_slots(plan, pools: dict) -> dict[str, int]:
    """Per pool, the slots (devices, or slices of shared ones) that no placement of the plan uses:
    how far its services may scale out."""
    used: dict[str, int] = {}
    for a in plan.assignments:
        used[a.pool] = used.get(a.pool, 0) + a.slots
    return {pool: max(0, item.total_slots - used.get(pool, 0)) for pool, item in pools.items()}


def fleet_manifests(plan, fleet, workloads, catalog: Catalog, options: EmitOptions = DEFAULT_OPTIONS) -> dict[str, list]:
    """Objects per file name: one file per placement (a service served from several pools has
    one per pool), plus the GPU Operator sharing configuration."""
    pools = {item.name: item for item in fleet.inventory}
    by_name = {w.name: w for w in workloads}
    spare = spare_slots(plan, pools)
    files: dict[str, list] = {}
    refused: list[str] = []
    for a, name in zip(plan.assignments, placement_names(plan)):
        _refuse_beside_inference(a)
        item = pools[a.pool]
        target = assignment_target(a, by_name[a.workload], item, catalog, name, spare[a.pool])
        target = _with_memory(target, catalog, plan)
        try:
            objects = manifests(target, options, catalog)
        except ExportError as exc:
            refused.append(f"{a.workload} ({a.model_id} on {a.pool}): {exc}")
            continue
        if target.sharing is not None and target.sharing.mig_profile:
            for obj in objects:
                _select_mig_nodes(obj, mig_config_name(item.id, item.sharing.mig))
        files[f"{target.name}.yaml"] = objects
    if refused:
        raise ExportError(f"{len(refused)} of the fleet's {len(plan.assignments)} placements cannot be exported, "
                          "so none is written:\n  - " + "\n  - ".join(refused))
    sharing = sharing_configs(fleet, plan)
    if sharing:
        files["gpu-sharing.yaml"] = sharing
    return files


def _refuse_beside_inference(assignment) -> None:
    """A training job planned in the compute inference replicas leave idle (a preemptible
    tenant of their GPUs) has no faithful manifest: the device plugin gives a GPU to one pod,
    so a Job requesting those GPUs would wait for them, not share them."""
    if assignment.kind == "training" and (assignment.compute_share or 1.0) < 1.0:
        raise ExportError(
            f"{assignment.workload} is planned beside inference on {assignment.pool} "
            f"({assignment.compute_share:.0%} of the compute its replicas leave idle, preempted by them); "
            "Kubernetes' device plugin gives a GPU to one pod, so this needs GPU sharing with priority "
            "preemption. Plan with --no-colocate to give training jobs devices of their own, then export")


def _with_memory(target: Target, catalog: Catalog, plan) -> Target:
    """Host memory sized from the model's weights at the plan's precision (a fleet plan has no memory figure)."""
    from dataclasses import replace

    from planner.perf.factors import load_factors

    params = target.model.params_m.value if target.model.params_m else 100.0
    gb = params * 1e6 * load_factors().bytes_per_param.get(target.precision, 2.0) / 1e9
    return replace(target, memory_gb=gb, catalog_hash=plan.catalog_hash)


def _select_mig_nodes(obj: dict, config: str) -> None:
    template = obj.get("spec", {}).get("template")
    if template is not None:
        template["spec"].setdefault("nodeSelector", {})[MIG_CONFIG_LABEL] = config


def sharing_configs(fleet, plan) -> list[dict]:
    """The GPU Operator's MIG layouts and time-slicing configs for the pools the plan uses."""
    used = {a.pool for a in plan.assignments}
    namespace = k8s_settings()["gpu_operator_namespace"]
    mig, slicing = {}, {}
    for item in fleet.inventory:
        if item.name not in used or item.sharing is None:
            continue
        if item.sharing.mig:
            profile = mig_profile(item.id, item.sharing.mig)
            mig[mig_config_name(item.id, item.sharing.mig)] = (profile, item.sharing.mig)
        else:
            slicing[f"{item.id}-x{item.sharing.time_slicing}"] = item.sharing.time_slicing
    out = []
    labels = {"app.kubernetes.io/managed-by": "intentctl"}
    if mig:
        text = "version: v1\nmig-configs:\n" + "".join(
            f"  {name}:\n    - devices: all\n      mig-enabled: true\n      mig-devices:\n        \"{profile}\": {count}\n"
            for name, (profile, count) in sorted(mig.items()))
        out.append({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "intentctl-mig-config", "namespace": namespace, "labels": labels},
                    "data": {"config.yaml": text}})
    if slicing:
        data = {name: ("version: v1\nflags:\n  migStrategy: none\nsharing:\n  timeSlicing:\n    resources:\n"
                       f"      - name: nvidia.com/gpu\n        replicas: {replicas}\n")
                for name, replicas in sorted(slicing.items())}
        out.append({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "intentctl-time-slicing", "namespace": namespace, "labels": labels},
                    "data": data})
    return out
