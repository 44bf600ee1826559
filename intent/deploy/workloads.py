"""Kubernetes objects for a Target.

- A server on one node: a Deployment (replicas from the plan), its Service, and a KEDA
  ScaledObject on the server's own load metric (never CPU).
- A replica larger than a node (pipeline across nodes, or a TP group beyond the scale-up
  domain): a LeaderWorkerSet of leader and worker pods, a Service on the leaders.
- A disaggregated plan: one workload per role (prefill, decode) with the KV-transfer settings.
- A training or fine-tuning job: a Kubeflow PyTorchJob with the Kueue queue label.
Model repositories the server reads from disk get a PersistentVolumeClaim; generated server
configuration (Triton's config.pbtxt) a ConfigMap mounted into the repository.
"""

from __future__ import annotations

import math
import shlex
from dataclasses import dataclass, replace

from intent.deploy.config import k8s_settings
from intent.deploy.launch import ServerLaunch, server_launch, training_build
from intent.deploy.pods import (
    CLAIM,
    add_volume,
    container,
    memory_gi,
    nodes_for,
    per_node_devices,
    placement,
    pod_spec,
)
from intent.deploy.target import Target

KEDA_API = "keda.sh/v1alpha1"
LWS_API = "leaderworkerset.x-k8s.io/v1"
KUBEFLOW_API = "kubeflow.org/v1"
QUEUE_LABEL = "kueue.x-k8s.io/queue-name"


@dataclass(frozen=True)
class EmitOptions:
    """How to emit: Dynamic Resource Allocation claims instead of device plugin resources, and the
    Kueue queue of training jobs."""

    dra: bool = False
    queue: str | None = None


DEFAULT_OPTIONS = EmitOptions()


def labels_for(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "intentctl"}


def meta(name: str, labels: dict[str, str], **extra) -> dict:
    return {"name": name, "labels": dict(labels), **extra}


def pod_labels(target: Target, labels: dict[str, str]) -> dict[str, str]:
    out = dict(labels)
    if target.regimes:
        out["intentctl.io/compliance"] = "-".join(target.regimes)
    return out


def manifests(target: Target, options: EmitOptions = DEFAULT_OPTIONS, catalog=None) -> list[dict]:
    """Every object of the target, in apply order."""
    if target.training is not None:
        return training_job(target, options)
    if target.roles is not None:
        return disaggregated(target, options, catalog)
    return serving(target, options)


def serving(target: Target, options: EmitOptions, role: str | None = None, replicas: int | None = None) -> list[dict]:
    launch = server_launch(target, role)
    name = target.name if role is None else f"{target.name}-{role}"[:63]
    labels = labels_for(name)
    extra = storage_objects(target, launch, name, labels)
    if nodes_for(target) > 1 and launch.spec.multi_node is not None:
        workload = leader_worker_set(target, launch, name, labels, options, replicas)
        selector = {"leaderworkerset.sigs.k8s.io/name": name, "role": "leader"}
        scale_ref = {"apiVersion": LWS_API, "kind": "LeaderWorkerSet", "name": name}
    else:
        workload = deployment(target, launch, name, labels, options, replicas, role)
        selector = labels
        scale_ref = {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
    ports = [{"name": "http", "port": launch.spec.port, "targetPort": launch.spec.port}]
    if role is not None and launch.spec.kv_transfer is not None:
        ports.append({"name": "kv-transfer", "port": launch.spec.kv_transfer.port,
                      "targetPort": launch.spec.kv_transfer.port})
    service = {"apiVersion": "v1", "kind": "Service", "metadata": meta(name, labels),
               "spec": {"selector": selector, "ports": ports}}
    objects = [*extra, workload, service, scaled_object(target, launch, name, labels, scale_ref,
                                                        replicas or target.replicas)]
    if options.dra:
        from intent.deploy.dra import claim_template

        objects.insert(0, claim_template(target, name, labels, devices_per_pod(target)))
    return objects


def devices_per_pod(target: Target) -> int:
    return max(1, math.ceil(target.layout.devices_per_replica / nodes_for(target)))


def storage_objects(target: Target, launch: ServerLaunch, name: str, labels: dict[str, str]) -> list[dict]:
    """A claim for a model repository read from disk, and a ConfigMap of the generated files."""
    out = []
    if launch.local_model:
        storage = max(10, math.ceil(target.model.weights_mb.value / 1024 * 1.5) if target.model.weights_mb else 0,
                      memory_gi(target.memory_gb))
        spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": f"{storage}Gi"}}}
        if target.encrypting:
            from intent.deploy.pods import ENCRYPTED_STORAGE_CLASS

            spec["storageClassName"] = ENCRYPTED_STORAGE_CLASS
        out.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                    "metadata": meta(f"{name}-models", labels), "spec": spec})
    if launch.files:
        out.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(f"{name}-config", labels),
                    "data": {key.replace("/", "__"): text for key, text in launch.files.items()}})
    return out


def server_container(target: Target, launch: ServerLaunch, place, *, command=None, args=None,
                     memory: int | None = None) -> dict:
    spec = launch.spec
    c = container("server", launch.image, command=command or launch.command,
                  args=launch.args if args is None else args,
                  env={**launch.env, **({"HF_TOKEN_PATH": "/etc/hf/token"} if not launch.local_model else {})},
                  memory=memory or memory_gi(target.memory_gb / nodes_for(target)), place=place,
                  catalog_hash=target.catalog_hash)
    c["ports"] = [{"name": "http", "containerPort": spec.port}]
    if spec.metrics.port != spec.port:
        c["ports"].append({"name": "metrics", "containerPort": spec.metrics.port})
    c["readinessProbe"] = {"httpGet": {"path": spec.health, "port": spec.port}, "periodSeconds": 10}
    # Loading weights (and compiling) takes minutes: the startup probe allows up to 30.
    c["startupProbe"] = {"httpGet": {"path": spec.health, "port": spec.port}, "periodSeconds": 10,
                         "failureThreshold": 180}
    return c


def _finish_pod(target: Target, launch: ServerLaunch, containers: list[dict], place, name: str,
                shm: bool, init: dict | None = None) -> dict:
    """The pod of a server: restricted, with its volumes (shared memory, models, generated config, token)."""
    pod = pod_spec(containers, target, place, shm=shm, name=name, init=init,
                   models_claim=f"{name}-models" if launch.local_model else None)
    containers = containers + ([init] if init else [])
    mount = k8s_settings()["models_mount"]
    if launch.files:  # each generated file at its place in the model repository
        pod["volumes"].append({"name": "config", "configMap": {"name": f"{name}-config"}})
        for c in containers:
            c["volumeMounts"] += [{"name": "config", "mountPath": f"{mount}/{key}", "subPath": key.replace("/", "__"),
                                   "readOnly": True} for key in launch.files]
    if not launch.local_model:  # a gated Hugging Face repository needs a token (the secret is optional)
        add_volume(pod, {"name": "hf-token", "secret": {"secretName": "hf-token", "optional": True}}, "/etc/hf",
                   read_only=True, containers=containers)
    return pod


def _template_meta(target: Target, launch: ServerLaunch, labels: dict[str, str]) -> dict:
    return {"labels": pod_labels(target, labels),
            "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": str(launch.spec.metrics.port),
                            "prometheus.io/path": launch.spec.metrics.path}}


def deployment(target: Target, launch: ServerLaunch, name: str, labels: dict[str, str], options: EmitOptions,
               replicas: int | None, role: str | None) -> dict:
    devices = target.layout.devices_per_replica
    place = placement(target, devices, dra=options.dra, claim_template=f"{name}-{CLAIM}")
    c = server_container(target, launch, place)
    if role is not None and launch.spec.kv_transfer is not None:
        c["env"].append({"name": launch.spec.kv_transfer.side_channel_host_env,
                         "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}})
        c["ports"].append({"name": "kv-transfer", "containerPort": launch.spec.kv_transfer.port})
    # An engine is built before the server starts, on the same devices.
    init = engine_build_container(target, launch, place)
    pod = _finish_pod(target, launch, [c], place, name, shm=devices > 1, init=init)
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(name, labels),
            "spec": {"replicas": replicas or target.replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": _template_meta(target, launch, labels), "spec": pod}}}


def engine_build_container(target: Target, launch: ServerLaunch, place) -> dict | None:
    if launch.prepare is None:
        return None
    return container("engine-build", launch.image, command=launch.prepare[:1], args=launch.prepare[1:], env={},
                     memory=memory_gi(target.memory_gb), place=place, catalog_hash=target.catalog_hash)


def leader_worker_set(target: Target, launch: ServerLaunch, name: str, labels: dict[str, str], options: EmitOptions,
                      replicas: int | None) -> dict:
    """One replica across nodes: the leader starts the Ray head and the server, the workers join it."""
    multi = launch.spec.multi_node
    nodes = nodes_for(target)
    per_pod = devices_per_pod(target)
    place = placement(target, per_pod, dra=options.dra, claim_template=f"{name}-{CLAIM}")
    serve = shlex.join([*launch.command, *launch.args])
    leader = server_container(target, launch, place, command=["/bin/sh", "-c"],
                              args=[f"{multi.leader}; exec {serve}"])
    worker = server_container(target, launch, place, command=["/bin/sh", "-c"], args=[multi.worker])
    for field in ("readinessProbe", "startupProbe", "ports"):  # workers only join the leader's Ray cluster
        worker.pop(field)
    templates = {}
    for role, c in (("leader", leader), ("worker", worker)):
        role_labels = {**labels, "role": role}
        templates[role] = {"metadata": {**_template_meta(target, launch, role_labels)},
                           "spec": _finish_pod(target, launch, [c], place, name, shm=True)}
    return {"apiVersion": LWS_API, "kind": "LeaderWorkerSet", "metadata": meta(name, labels),
            "spec": {"replicas": replicas or target.replicas, "startupPolicy": "LeaderCreated",
                     "leaderWorkerTemplate": {"size": nodes, "restartPolicy": "RecreateGroupOnPodRestart",
                                              "leaderTemplate": templates["leader"],
                                              "workerTemplate": templates["worker"]}}}


def scaled_object(target: Target, launch: ServerLaunch, name: str, labels: dict[str, str], ref: dict,
                  replicas: int) -> dict:
    """KEDA scaling on the server's own load metric through Prometheus (never CPU)."""
    settings = k8s_settings()["autoscaling"]
    scale = launch.spec.scale
    query = scale.query.replace("{model}", launch.served_name).replace("{pods}", f"{name}-.*")
    target_value = scale.target if isinstance(scale.target, int) else launch.scale_target
    return {"apiVersion": KEDA_API, "kind": "ScaledObject", "metadata": meta(name, labels),
            "spec": {"scaleTargetRef": ref, "minReplicaCount": replicas,
                     "maxReplicaCount": replicas * settings["max_replicas_factor"],
                     "pollingInterval": settings["polling_interval_s"], "cooldownPeriod": settings["cooldown_s"],
                     "triggers": [{"type": "prometheus", "metricType": scale.metric_type,
                                   "metadata": {"serverAddress": settings["prometheus"], "query": query,
                                                "threshold": str(target_value)}}]}}


def disaggregated(target: Target, options: EmitOptions, catalog) -> list[dict]:
    """Prefill and decode as workloads of their own; each holds the KV connector's settings."""
    roles = target.roles
    out: list[dict] = []
    for role, workers, device_id in (("prefill", roles.prefill_workers, roles.prefill_device_id),
                                     ("decode", roles.decode_workers, roles.decode_device_id)):
        role_target = target if not device_id or catalog is None else replace(target, device=catalog.device(device_id))
        out += serving(role_target, options, role=role, replicas=workers)
    return out


def training_job(target: Target, options: EmitOptions) -> list[dict]:
    """A PyTorchJob: torchrun on every node, the devices split over nodes, queued by Kueue."""
    build = training_build(target)
    name = target.name
    labels = labels_for(name)
    spec = target.training
    per_node = min(spec.devices, per_node_devices(target.device)) if target.device.device_class != "cpu" else 1
    nodes = max(1, math.ceil(spec.devices / per_node))
    place = placement(target, per_node, dra=options.dra, claim_template=f"{name}-{CLAIM}")
    if target.device.device_class == "cpu":
        place = replace(place, resource=None)
    model = target.model.hf_repo or f"{k8s_settings()['models_mount']}/{target.model.id}"
    from intent.deploy.config import launches

    training = launches().training
    args = [training.script, f"--model={model}", f"--precision={target.precision}",
            f"--per-device-batch-size={max(1, spec.batch_size // max(1, spec.devices))}", f"--epochs={spec.epochs}"]
    c = container("pytorch", build.image, command=build.command or training.command, args=args, env={},
                  memory=memory_gi(target.memory_gb * 2), place=place, catalog_hash=target.catalog_hash)
    pod = pod_spec([c], target, place, shm=per_node > 1, name=name)
    add_volume(pod, {"name": "train", "configMap": {"name": f"{name}-train"}}, "/workspace", read_only=True)
    template = {"metadata": {"labels": pod_labels(target, labels)}, "spec": pod}
    replica_specs = {"Master": {"replicas": 1, "restartPolicy": "OnFailure", "template": template}}
    if nodes > 1:
        replica_specs["Worker"] = {"replicas": nodes - 1, "restartPolicy": "OnFailure", "template": template}
    queue = options.queue or k8s_settings()["default_queue"]
    job = {"apiVersion": KUBEFLOW_API, "kind": "PyTorchJob",
           "metadata": meta(name, {**labels, QUEUE_LABEL: queue}),
           "spec": {"nprocPerNode": str(per_node), "pytorchReplicaSpecs": replica_specs,
                    "runPolicy": {"backoffLimit": 2}}}
    objects = [job]
    if options.dra:
        from intent.deploy.dra import claim_template

        objects.insert(0, claim_template(target, name, labels, per_node))
    return objects
