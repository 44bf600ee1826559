"""Pod templates: the device a pod gets (device plugin resource, MIG slice, or a DRA claim), the
nodes it may run on, its container, and the security and compliance fields every pod carries.

Every pod meets the Kubernetes "restricted" Pod Security Standard, whatever the compliance
regime (non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp, no
service-account token, CPU and memory limits); compliance policies add real fields (a TLS
secret volume, a read-only root filesystem, a model cache on an encrypting storage class).

A pod fits its node: on a device whose memory is the node's (a CPU socket, a board, a Jetson
module) it asks for no more memory than the node leaves it, and a plan whose model does not fit
there is refused; a pod on a CPU device holds the cores the plan's figures assume.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass, field

from hardware import Device
from intent.deploy.config import device_matches, k8s_settings, launches
from intent.deploy.launch import HUB_CACHE, ExportError
from intent.deploy.target import Target

ENCRYPTED_STORAGE_CLASS = "encrypted-at-rest"
CLAIM = "accelerators"


@dataclass(frozen=True)
class Placement:
    """What a pod asks the scheduler for: an extended resource (or a DRA claim) and node labels."""

    resource: str | None
    count: int
    node_selector: dict[str, str] = field(default_factory=dict)
    claim_template: str | None = None
    #: a CPU device's cores the pod holds (the plan's figures assume all of them); None otherwise
    cores: int | None = None


def _device_entry(device: Device) -> dict:
    return next(e for e in k8s_settings()["devices"] if device_matches(device, e["match"]))


def nvidia_product(device: Device) -> str:
    return k8s_settings()["nvidia_products"].get(device.id, f"{device.vendor_name} {device.name}")


def node_selector(device: Device, *, dra: bool = False) -> dict[str, str]:
    entry = _device_entry(device)
    selector = dict(entry.get("node_selector", {}))
    if not dra and "node_selector_product" in entry:
        selector[entry["node_selector_product"]] = label_value(nvidia_product(device))
    device_id = k8s_settings()["amd_device_ids"].get(device.id)
    if "node_selector_device_id" in entry and device_id:
        selector[entry["node_selector_device_id"]] = device_id
    family = gpu_family(device)
    if "node_selector_family" in entry and family:
        selector[entry["node_selector_family"]] = family
    if "node_selector_from_id" in entry:
        selector[entry["node_selector_from_id"]] = device.id
    return selector


def gpu_family(device: Device) -> str | None:
    """The nvidia.com/gpu.family value GPU feature discovery gives the device's architecture (k8s.yaml gpu_families)."""
    architecture = device.architecture.name if device.architecture else None
    return k8s_settings()["gpu_families"].get(architecture)


def label_value(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:63]


def placement(target: Target, devices: int, *, dra: bool = False, claim_template: str | None = None) -> Placement:
    """The pod's device request: ``devices`` of the target's device, or its slice of a shared GPU."""
    resource = _device_entry(target.device).get("resource")
    selector = node_selector(target.device, dra=dra)
    sharing = target.sharing
    if sharing is not None and sharing.mig_profile:
        selector.pop("nvidia.com/gpu.product", None)
        return Placement(f"nvidia.com/mig-{sharing.mig_profile}", devices, selector)
    if sharing is not None and sharing.time_slices:
        selector["nvidia.com/device-plugin.config"] = time_slicing_config_name(target.device, sharing.time_slices)
    if dra and resource:
        return Placement(None, devices, selector, claim_template=claim_template)
    return Placement(resource, devices, selector, cores=cpu_cores(target.device, devices))


def cpu_cores(device: Device, devices: int) -> int | None:
    """The cores of ``devices`` CPU sockets or boards (catalog ``cores``); None for accelerators."""
    if device.device_class != "cpu" or device.cores is None:
        return None
    return int(device.cores.value) * max(1, devices)


def time_slicing_config_name(device: Device, slices: int) -> str:
    return f"{device.id}-x{slices}"


def nodes_for(target: Target) -> int:
    """Nodes one replica spans: its devices over the devices one node (scale-up group) holds."""
    per_node = per_node_devices(target.device)
    return max(1, math.ceil(target.layout.devices_per_replica / per_node))


def per_node_devices(device: Device) -> int:
    group = device.max_group.value if device.max_group else None
    return int(group or k8s_settings()["devices_per_node"])


def memory_gi(gb: float) -> int:
    """Host memory for a pod holding ``gb`` of model state: weights pass through it while loading."""
    return max(2, math.ceil(gb * 1.2) + 2)


def node_memory_gi(device: Device, devices: int = 1) -> float | None:
    """Memory a node leaves one pod holding ``devices`` of a device whose memory is the node's own
    (k8s.yaml node_memory): their catalog memory less what the node keeps (node_reserved). None when
    the catalog does not give the node's memory (the host of a discrete accelerator)."""
    if not _device_entry(device).get("node_memory") or device.memory_gb is None:
        return None
    total = device.memory_gb.value * max(1, devices)
    reserved = k8s_settings()["node_reserved"]
    return total - max(reserved["memory_min_gi"], total * reserved["memory_share"])


def pod_memory_gi(target: Target, gb: float, devices: int, wanted: int | None = None) -> int:
    """The memory (GiB) of a pod holding ``gb`` of the plan's model state on ``devices`` devices:
    ``wanted`` (by default memory_gi's loading headroom) within what the node leaves it. A plan whose
    state alone does not fit there is refused: its pod would stay Pending."""
    wanted = wanted or memory_gi(gb)
    room = node_memory_gi(target.device, devices)
    if room is None:
        return wanted
    if gb > room:
        total = target.device.memory_gb.value * max(1, devices)
        raise ExportError(
            f"{target.model.id} at {target.precision} needs {gb:.1f} GB of memory per pod, and "
            f"{devices} x {target.device.title} hold{'s' if devices == 1 else ''} "
            f"{total:g} GB, {room:.1f} GiB of it left to pods once the OS and the kubelet keep theirs "
            "(intent/data/k8s.yaml node_reserved): the pod would never be scheduled. Plan a smaller model or "
            "precision, or a device with more memory")
    return max(1, min(wanted, math.floor(room)))


def cpu_amounts(place: Placement | None) -> tuple[str, str]:
    """A container's CPU request and limit. On a CPU device: the limit is every core the plan assumes,
    the request leaves the node its reserve (node_reserved.cpu_m) so that the pod can be scheduled.
    Beside accelerators: host cores per device (workers, tokenisation, the network)."""
    settings = k8s_settings()
    if place is not None and place.cores:
        return f"{place.cores * 1000 - settings['node_reserved']['cpu_m']}m", str(place.cores)
    if place is None or not (place.resource or place.claim_template):
        return str(settings["cpu"]), str(settings["cpu"])
    cores = str(max(settings["cpu"], settings["cpu_per_device"] * place.count))
    return cores, cores


def container(name: str, image: str, *, command: list[str], args: list[str], env: dict[str, str],
              memory: int, place: Placement | None, catalog_hash: str, cpu: tuple[str, str] | None = None) -> dict:
    """A container with its resources: ``cpu`` (request, limit) overrides what the placement gives."""
    request, limit = cpu or cpu_amounts(place)
    limits = {"cpu": limit, "memory": f"{memory}Gi"}
    out = {"name": name, "image": image, "command": list(command), "args": list(args),
           "env": [{"name": "INTENTCTL_PLAN_CATALOG", "value": catalog_hash},
                   *({"name": k, "value": v} for k, v in env.items())],
           "resources": {"requests": {"cpu": request, "memory": f"{memory}Gi"}, "limits": limits}}
    if place is not None and place.resource:
        limits[place.resource] = str(place.count)
    if place is not None and place.claim_template:
        out["resources"]["claims"] = [{"name": CLAIM}]
    return out


def helper_container(name: str, image: str, *, command: list[str], env: dict[str, str], catalog_hash: str) -> dict:
    """A small init container (fetching a model, installing packages, checking a secret)."""
    helper = k8s_settings()["helper"]
    cpu = str(helper["cpu"])
    return container(name, image, command=command, args=[], env=env, memory=helper["memory_gi"], place=None,
                     catalog_hash=catalog_hash, cpu=(cpu, cpu))


def pod_spec(containers: list[dict], target: Target, place: Placement | None, *, shm: bool = False,
             models_gi: int | None = None, name: str, init: list[dict] | None = None) -> dict:
    """A pod spec under the restricted profile, on the target's nodes, with its compliance fields;
    ``models_gi``: the size of the per-pod volume at /models, when the server reads its model from disk."""
    pod = {"containers": containers}
    if init:
        pod["initContainers"] = list(init)
    restricted(pod)
    if place is not None and place.node_selector:
        pod["nodeSelector"] = dict(place.node_selector)
    if place is not None and place.resource:
        # GPU nodes are tainted with the device plugin's resource name (MIG slices live on nvidia.com/gpu nodes)
        key = "nvidia.com/gpu" if place.resource.startswith("nvidia.com/mig-") else place.resource
        pod["tolerations"] = [{"key": key, "operator": "Exists", "effect": "NoSchedule"}]
    if place is not None and place.claim_template:
        pod["resourceClaims"] = [{"name": CLAIM, "resourceClaimTemplateName": place.claim_template}]
    mount = k8s_settings()["models_mount"]
    if shm:  # NCCL and the workers of a multi-device server share memory through /dev/shm
        add_volume(pod, {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": f"{k8s_settings()['shm_gi']}Gi"}},
                   "/dev/shm")
    if models_gi:
        add_volume(pod, models_volume(target, models_gi), mount)
    if target.encrypting:
        encrypt(pod, name, target, mount if not models_gi else mount + "-cache")
    return pod


def models_volume(target: Target, size_gi: int) -> dict:
    """The pod's own model repository: an emptyDir, or under an encrypting regime an ephemeral claim
    on the encrypting storage class. Per pod, so that replicas on different nodes each start."""
    if target.encrypting:
        return {"name": "models", "ephemeral": {"volumeClaimTemplate": {"spec": {
            "accessModes": ["ReadWriteOnce"], "storageClassName": ENCRYPTED_STORAGE_CLASS,
            "resources": {"requests": {"storage": f"{size_gi}Gi"}}}}}}
    return {"name": "models", "emptyDir": {"sizeLimit": f"{size_gi}Gi"}}


def add_volume(pod: dict, volume: dict, path: str, read_only: bool = False, containers=None) -> None:
    """Add a volume and mount it in the given containers (default: every container, init ones included)."""
    pod.setdefault("volumes", []).append(volume)
    for c in containers if containers is not None else pod["containers"] + pod.get("initContainers", []):
        mount = {"name": volume["name"], "mountPath": path}
        if read_only:
            mount["readOnly"] = True
        c.setdefault("volumeMounts", []).append(mount)


def restricted(pod: dict) -> None:
    """The pod and its containers under the "restricted" Pod Security Standard (see intent/data/k8s.yaml)."""
    security = k8s_settings()["pod_security"]
    pod["automountServiceAccountToken"] = False
    pod["securityContext"] = {"runAsNonRoot": True, "runAsUser": security["run_as_user"],
                              "runAsGroup": security["run_as_group"], "fsGroup": security["fs_group"],
                              "seccompProfile": {"type": "RuntimeDefault"}}
    for c in pod["containers"] + pod.get("initContainers", []):
        restrict_container(c)
    pod["volumes"] = [{"name": "scratch", "emptyDir": {}}]


def restrict_container(c: dict) -> None:
    """One container under the restricted profile, with a writable scratch HOME."""
    security = k8s_settings()["pod_security"]
    c["securityContext"] = {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
                            "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}
    # A non-root user needs somewhere to write (model downloads, caches): an emptyDir as HOME.
    c["env"].append({"name": "HOME", "value": security["home"]})
    c["env"].append({"name": "USER", "value": security["user"]})  # the uid has no /etc/passwd entry
    c["volumeMounts"] = [{"name": "scratch", "mountPath": security["home"]}]


def tls_check_container(name: str, target: Target) -> dict:
    """An init container that stops the pod with what to do while the TLS secret is missing (the
    secret holds the cluster's own certificate, which intentctl cannot make; the volume is optional
    so that the pod reports this instead of waiting in ContainerCreating)."""
    secret = f"{name}-tls"
    message = (f"the secret {secret} (type kubernetes.io/tls) is missing or empty: this plan's compliance regime "
               f"({', '.join(target.regimes)}) serves over TLS; create it with "
               f"kubectl create secret tls {secret} --cert=CERT_FILE --key=KEY_FILE")
    script = f"test -s /etc/tls/tls.crt && test -s /etc/tls/tls.key && exit 0; echo {shlex.quote(message)} >&2; exit 1"
    c = helper_container("tls-check", launches().helper.image, command=["/bin/sh", "-c", script], env={},
                         catalog_hash=target.catalog_hash)
    restrict_container(c)
    return c


def encrypt(pod: dict, name: str, target: Target, cache_path: str) -> None:
    """Encrypting regimes: TLS from a secret (checked first by an init container), a read-only root
    filesystem, data at rest only on a storage class that encrypts (the cluster must provide it),
    and the model cache there."""
    size = max(10, memory_gi(target.memory_gb) * 2)
    pod["initContainers"] = [tls_check_container(name, target), *pod.get("initContainers", [])]
    for c in pod["containers"] + pod.get("initContainers", []):
        c["securityContext"]["readOnlyRootFilesystem"] = True
        for var in c["env"]:  # a hub cache a server sets (tgi-gaudi's) goes to the encrypted cache too
            if var["name"] == HUB_CACHE:
                var["value"] = f"{cache_path}/huggingface/hub"
        c["env"] += [{"name": "TLS_CERT_FILE", "value": "/etc/tls/tls.crt"},
                     {"name": "TLS_KEY_FILE", "value": "/etc/tls/tls.key"},
                     {"name": "HF_HOME", "value": f"{cache_path}/huggingface"}]
    add_volume(pod, {"name": "tls", "secret": {"secretName": f"{name}-tls", "optional": True}}, "/etc/tls",
               read_only=True)
    add_volume(pod, {"name": "model-cache", "ephemeral": {"volumeClaimTemplate": {"spec": {
        "accessModes": ["ReadWriteOnce"], "storageClassName": ENCRYPTED_STORAGE_CLASS,
        "resources": {"requests": {"storage": f"{size}Gi"}}}}}}, cache_path)
    add_volume(pod, {"name": "tmp", "emptyDir": {}}, "/tmp")
