"""Kubernetes objects for a Target.

- A server on one node: a Deployment (replicas from the plan), its Service, and a KEDA
  ScaledObject on the server's own load metric (never CPU).
- A replica larger than a node (pipeline across nodes, or a TP group beyond the scale-up
  domain): a LeaderWorkerSet of leader and worker pods, a Service on the leaders.
- A disaggregated plan: one workload per role (prefill, decode) with the KV-transfer settings.
- A training or fine-tuning job: a Kubeflow PyTorchJob with the Kueue queue label (training.py).
A server that reads its model from disk gets a per-pod model repository that the fetch-model init
container fills (storage.py); generated server configuration (Triton's config.pbtxt) a ConfigMap
mounted into the repository. Every ConfigMap a pod mounts is emitted with it.
"""

from __future__ import annotations

import math
import shlex
from dataclasses import dataclass, replace

from intent.deploy.config import k8s_settings, launches
from intent.deploy.launch import ServerLaunch, server_launch
from intent.deploy.pods import (
    CLAIM,
    add_volume,
    container,
    helper_container,
    nodes_for,
    placement,
    pod_memory_gi,
    pod_spec,
    restricted,
)
from intent.deploy.storage import fetch_config_map, fetch_container, models_size_gi, mount_fetch_script
from intent.deploy.target import Target

KEDA_API = "keda.sh/v1alpha1"
LWS_API = "leaderworkerset.x-k8s.io/v1"


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
        from intent.deploy.training import training_job

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
    """The ConfigMaps the pods mount: the fetch-model script of a model read from disk, and the
    generated files."""
    out = []
    if launch.local_model:
        out.append(fetch_config_map(name, labels))
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
                  memory=memory or pod_memory_gi(target, target.memory_gb / nodes_for(target), place.count),
                  place=place, catalog_hash=target.catalog_hash)
    c["ports"] = [{"name": "http", "containerPort": spec.port}]
    if spec.metrics.port != spec.port:
        c["ports"].append({"name": "metrics", "containerPort": spec.metrics.port})
    c["readinessProbe"] = {"httpGet": {"path": spec.health, "port": spec.port}, "periodSeconds": 10}
    # Loading weights (and compiling) takes minutes: the startup probe allows up to 30.
    c["startupProbe"] = {"httpGet": {"path": spec.health, "port": spec.port}, "periodSeconds": 10,
                         "failureThreshold": 180}
    return c


def init_containers(target: Target, launch: ServerLaunch, built: dict | None = None) -> list[dict]:
    """What runs before the server: fetching the model it reads from disk, then building an engine from it."""
    out = [fetch_container(target, launch.model_file, launch.spec.model_format)] if launch.local_model else []
    return out + ([built] if built else [])


def server_pod(target: Target, launch: ServerLaunch, containers: list[dict], place, name: str,
               shm: bool, init: dict | None = None) -> dict:
    """The pod of a server: restricted, with its volumes (shared memory, models and what fills them,
    generated config, token); ``init``: an engine build to run after the model is fetched."""
    pod = pod_spec(containers, target, place, shm=shm, name=name, init=init_containers(target, launch, init),
                   models_gi=models_size_gi(target) if launch.local_model else None)
    if launch.local_model:
        mount_fetch_script(pod, name)
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
    pod = server_pod(target, launch, [c], place, name, shm=devices > 1, init=init)
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(name, labels),
            "spec": {"replicas": replicas or target.replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": _template_meta(target, launch, labels), "spec": pod}}}


def engine_build_container(target: Target, launch: ServerLaunch, place) -> dict | None:
    if launch.prepare is None:
        return None
    return container("engine-build", launch.image, command=launch.prepare[:1], args=launch.prepare[1:], env={},
                     memory=pod_memory_gi(target, target.memory_gb, place.count), place=place,
                     catalog_hash=target.catalog_hash)


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
                           "spec": server_pod(target, launch, [c], place, name, shm=True)}
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
                     "maxReplicaCount": max_replicas(target, replicas),
                     "pollingInterval": settings["polling_interval_s"], "cooldownPeriod": settings["cooldown_s"],
                     "triggers": [{"type": "prometheus", "metricType": scale.metric_type,
                                   "metadata": {"serverAddress": settings["prometheus"], "query": query,
                                                "threshold": str(target_value)}}]}}


def max_replicas(target: Target, replicas: int) -> int:
    """How far the autoscaler may scale out: the plan's replicas times max_replicas_factor, and on an
    inventory no further than the devices the plan leaves unused hold (whole replicas of them): a
    replica beyond them would wait in Pending for a device nobody owns."""
    ceiling = replicas * k8s_settings()["autoscaling"]["max_replicas_factor"]
    if target.spare_devices is None:
        return ceiling
    return min(ceiling, replicas + target.spare_devices // max(1, target.layout.devices_per_replica))


def disaggregated(target: Target, options: EmitOptions, catalog) -> list[dict]:
    """Prefill and decode as workloads of their own; each holds the KV connector's settings."""
    roles = target.roles
    out: list[dict] = []
    # a worker holds its own tensor x pipeline devices, and every replica of the plan has its workers
    # (each pod asked for the replica's devices, half of them idle, and one pod stood for four replicas)
    worker = replace(target.layout, devices_per_replica=target.layout.tensor_parallel * target.layout.pipeline_parallel)
    for role, workers, device_id in (("prefill", roles.prefill_workers, roles.prefill_device_id),
                                     ("decode", roles.decode_workers, roles.decode_device_id)):
        role_target = replace(target, layout=worker)
        if device_id and catalog is not None:
            role_target = replace(role_target, device=catalog.device(device_id))
        out += serving(role_target, options, role=role, replicas=target.replicas * workers)
    return out + pd_router(target, server_launch(target, "prefill"))


#: Where the router's package is installed (the scratch volume every pod has; see pods.restricted).
ROUTER_PACKAGES = "/scratch/router"


def pd_router(target: Target, launch: ServerLaunch) -> list[dict]:
    """The Deployment and Service of the router clients call: it sends each request to a prefill
    server, then to a decode server with the KV cache's transfer parameters (launches.yaml
    kv_transfer.router). It runs on CPU; an init container installs its package."""
    router = launch.spec.kv_transfer.router
    name = target.name[:63]
    labels = labels_for(name)
    port = router.port
    backends = {role: f"http://{f'{target.name}-{role}'[:63]}:{launch.spec.port}" for role in ("prefill", "decode")}
    args = [a.format(port=port, **backends) for a in router.args]
    image = launches().helper.image
    install = helper_container("install-router", image, command=[
        "pip", "install", "--no-cache-dir", "--target", ROUTER_PACKAGES, router.package], env={},
        catalog_hash=target.catalog_hash)
    main = container("router", image, command=["python", "-m", router.module], args=args,
                     env={"PYTHONPATH": ROUTER_PACKAGES}, memory=k8s_settings()["helper"]["memory_gi"], place=None,
                     catalog_hash=target.catalog_hash)
    main["ports"] = [{"name": "http", "containerPort": port}]
    main["readinessProbe"] = {"tcpSocket": {"port": port}, "periodSeconds": 10}
    pod = {"containers": [main], "initContainers": [install]}
    restricted(pod)
    pod["nodeSelector"] = {"kubernetes.io/arch": "amd64"}
    deployment_ = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(name, labels),
                   "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                            "template": {"metadata": {"labels": labels}, "spec": pod}}}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": meta(name, labels),
               "spec": {"selector": labels, "ports": [{"name": "http", "port": port, "targetPort": port}]}}
    return [deployment_, service]
