"""Pod templates: the device a pod gets (device plugin resource, MIG slice, or a DRA claim), the
nodes it may run on, its container, and the security and compliance fields every pod carries.

Every pod meets the Kubernetes "restricted" Pod Security Standard, whatever the compliance
regime (non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp, no
service-account token, CPU and memory limits); compliance policies add real fields (a TLS
secret volume, a read-only root filesystem, a model cache on an encrypting storage class).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from hardware import Device
from intent.deploy.config import device_matches, k8s_settings
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


def _device_entry(device: Device) -> dict:
    return next(e for e in k8s_settings()["devices"] if device_matches(device, e["match"]))


def nvidia_product(device: Device) -> str:
    return k8s_settings()["nvidia_products"].get(device.id, f"{device.vendor_name} {device.name}")


def node_selector(device: Device, *, dra: bool = False) -> dict[str, str]:
    entry = _device_entry(device)
    selector = dict(entry.get("node_selector", {}))
    if not dra and "node_selector_product" in entry:
        selector[entry["node_selector_product"]] = label_value(nvidia_product(device))
    if "node_selector_from_name" in entry:
        selector[entry["node_selector_from_name"]] = label_value(f"{device.vendor_name} {device.name}")
    if "node_selector_from_id" in entry:
        selector[entry["node_selector_from_id"]] = device.id
    return selector


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
    return Placement(resource, devices, selector)


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


def container(name: str, image: str, *, command: list[str], args: list[str], env: dict[str, str],
              memory: int, place: Placement | None, catalog_hash: str) -> dict:
    settings = k8s_settings()
    # A server feeding accelerators needs host cores per device (its workers, tokenisation, the network).
    cores = settings["cpu"] if place is None or not (place.resource or place.claim_template) else max(
        settings["cpu"], settings["cpu_per_device"] * place.count)
    cpu = str(cores)
    limits = {"cpu": cpu, "memory": f"{memory}Gi"}
    out = {"name": name, "image": image, "command": list(command), "args": list(args),
           "env": [{"name": "INTENTCTL_PLAN_CATALOG", "value": catalog_hash},
                   *({"name": k, "value": v} for k, v in env.items())],
           "resources": {"requests": {"cpu": cpu, "memory": f"{memory}Gi"}, "limits": limits}}
    if place is not None and place.resource:
        limits[place.resource] = str(place.count)
    if place is not None and place.claim_template:
        out["resources"]["claims"] = [{"name": CLAIM}]
    return out


def pod_spec(containers: list[dict], target: Target, place: Placement | None, *, shm: bool = False,
             models_claim: str | None = None, name: str, init: dict | None = None) -> dict:
    """A pod spec under the restricted profile, on the target's nodes, with its compliance fields."""
    pod = {"containers": containers}
    if init is not None:
        pod["initContainers"] = [init]
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
    if models_claim:
        add_volume(pod, {"name": "models", "persistentVolumeClaim": {"claimName": models_claim}}, mount)
    if target.encrypting:
        encrypt(pod, name, target, mount if not models_claim else mount + "-cache")
    return pod


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
        c["securityContext"] = {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
                                "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}
        # A non-root user needs somewhere to write (model downloads, caches): an emptyDir as HOME.
        c["env"].append({"name": "HOME", "value": security["home"]})
        c["volumeMounts"] = [{"name": "scratch", "mountPath": security["home"]}]
    pod["volumes"] = [{"name": "scratch", "emptyDir": {}}]


def encrypt(pod: dict, name: str, target: Target, cache_path: str) -> None:
    """Encrypting regimes: TLS from a secret, a read-only root filesystem, data at rest only on a
    storage class that encrypts (the cluster must provide it), and the model cache there."""
    size = max(10, memory_gi(target.memory_gb) * 2)
    for c in pod["containers"] + pod.get("initContainers", []):
        c["securityContext"]["readOnlyRootFilesystem"] = True
        c["env"] += [{"name": "TLS_CERT_FILE", "value": "/etc/tls/tls.crt"},
                     {"name": "TLS_KEY_FILE", "value": "/etc/tls/tls.key"},
                     {"name": "HF_HOME", "value": f"{cache_path}/huggingface"}]
    add_volume(pod, {"name": "tls", "secret": {"secretName": f"{name}-tls"}}, "/etc/tls", read_only=True)
    add_volume(pod, {"name": "model-cache", "ephemeral": {"volumeClaimTemplate": {"spec": {
        "accessModes": ["ReadWriteOnce"], "storageClassName": ENCRYPTED_STORAGE_CLASS,
        "resources": {"requests": {"storage": f"{size}Gi"}}}}}}, cache_path)
    add_volume(pod, {"name": "tmp", "emptyDir": {}}, "/tmp")
