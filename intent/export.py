"""Deployable artifacts for a plan: Kubernetes manifests and a Triton model configuration.

Kubernetes: a Deployment with the device plugin's resource and node selectors (from
intent/data/k8s.yaml), a Service, and a HorizontalPodAutoscaler when the plan needs more
than one replica. Every pod meets the Kubernetes "restricted" Pod Security Standard, whatever
the compliance regime (non-root, no privilege escalation, no capabilities, RuntimeDefault
seccomp, no service-account token, CPU and memory limits); compliance policies add real
fields (a TLS secret volume, a read-only root filesystem, an encrypting storage class, labels). Triton: ``config.pbtxt`` with the plan's batch size,
dynamic batching and instance group, for GPU plans.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from hardware import Catalog, Device
from hardware.yamlio import packaged_yaml
from planner.plan import ExecutionPlan

ENCRYPTING_REGIMES = ("hipaa", "gdpr", "pci-dss")
ENCRYPTED_STORAGE_CLASS = "encrypted-at-rest"
TRITON_PLATFORMS = {"TensorRT": "tensorrt_plan", "TensorRT-LLM": "tensorrtllm"}


class ExportError(ValueError):
    code = "export-error"
    hint = "Triton configurations are for GPU plans; Kubernetes manifests work for every plan"


@lru_cache(maxsize=1)
def _mapping() -> dict:
    return packaged_yaml("intent", "k8s.yaml")


def _name(plan: ExecutionPlan) -> str:
    raw = f"{plan.choice.model_id}-{plan.choice.device_id}"
    return re.sub(r"[^a-z0-9-]+", "-", raw.lower()).strip("-")[:50].rstrip("-")


def _device_fields(device: Device) -> tuple[str | None, dict[str, str]]:
    for entry in _mapping()["devices"]:
        if all(getattr(device, k) == v for k, v in entry["match"].items()):
            selector = dict(entry.get("node_selector", {}))
            if "node_selector_from_name" in entry:
                selector[entry["node_selector_from_name"]] = re.sub(r"[^A-Za-z0-9_.-]+", "-",
                                                                    f"{device.vendor_name} {device.name}").strip("-")[:63]
            if "node_selector_from_id" in entry:
                selector[entry["node_selector_from_id"]] = device.id
            return entry.get("resource"), selector
    return None, {}


def kubernetes_manifests(plan: ExecutionPlan, catalog: Catalog) -> list[dict]:
    device = catalog.device(plan.choice.device_id)
    resource, selector = _device_fields(device)
    serving = _mapping()["serving"].get(plan.choice.serving, _mapping()["serving"]["default"])
    name = _name(plan)
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "intentctl"}
    regimes = [s.name for s in plan.policies if s.name in ("hipaa", "gdpr", "pci-dss", "soc2")]
    pod_labels = dict(labels)
    if regimes:
        pod_labels["intentctl.io/compliance"] = "-".join(regimes)
    memory_gi = max(1, int(plan.metrics.memory_gb * 2) + 1)
    cpu = str(_mapping()["cpu"])
    limits = {"cpu": cpu, "memory": f"{memory_gi}Gi"}
    if resource:
        limits[resource] = str(plan.choice.replicas if plan.job is not None else plan.choice.shards)
    container = {
        "name": "server", "image": serving["image"],
        "args": [f"--model={plan.choice.model_id}", f"--precision={plan.choice.precision}",
                 f"--max-batch-size={plan.choice.batch_size}"],
        "ports": [{"name": "http", "containerPort": serving["port"]}],
        "resources": {"requests": {"cpu": cpu, "memory": f"{memory_gi}Gi"}, "limits": limits},
        "readinessProbe": {"tcpSocket": {"port": serving["port"]}, "periodSeconds": 10},
        "env": [{"name": "INTENTCTL_PLAN_CATALOG", "value": plan.catalog_hash}],
    }
    pod = {"containers": [container]}
    _restricted(pod, container)
    if selector:
        pod["nodeSelector"] = selector
    if resource:
        pod["tolerations"] = [{"key": resource, "operator": "Exists", "effect": "NoSchedule"}]
    if any(r in ENCRYPTING_REGIMES for r in regimes):
        container["securityContext"]["readOnlyRootFilesystem"] = True
        container["volumeMounts"] += [{"name": "tls", "mountPath": "/etc/tls", "readOnly": True},
                                      {"name": "model-cache", "mountPath": "/models"}]
        container["env"] += [{"name": "TLS_CERT_FILE", "value": "/etc/tls/tls.crt"},
                             {"name": "TLS_KEY_FILE", "value": "/etc/tls/tls.key"}]
        # Data at rest only on a storage class that encrypts (the cluster must provide it).
        pod["volumes"] += [{"name": "tls", "secret": {"secretName": f"{name}-tls"}},
                           {"name": "model-cache", "ephemeral": {"volumeClaimTemplate": {"spec": {
                               "accessModes": ["ReadWriteOnce"], "storageClassName": ENCRYPTED_STORAGE_CLASS,
                               "resources": {"requests": {"storage": f"{max(10, memory_gi * 2)}Gi"}}}}}}]
    if plan.job is not None:  # a training job runs to completion: a Job, no Service
        pod["restartPolicy"] = "Never"
        container.pop("ports")
        container.pop("readinessProbe")
        container["args"] = [f"--model={plan.choice.model_id}", f"--precision={plan.choice.precision}",
                             f"--batch-size={plan.job.batch_size}", f"--epochs={plan.job.epochs}"]
        return [{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "labels": labels},
                 "spec": {"backoffLimit": 2, "parallelism": 1, "completions": 1,
                          "template": {"metadata": {"labels": pod_labels}, "spec": pod}}}]
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": labels},
        "spec": {"replicas": plan.choice.replicas, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": pod_labels}, "spec": pod}},
    }
    service = {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "labels": labels},
        "spec": {"selector": labels, "ports": [{"name": "http", "port": serving["port"],
                                                "targetPort": serving["port"]}]},
    }
    manifests = [deployment, service]
    if plan.choice.replicas > 1:
        manifests.append({
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name, "labels": labels},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                     "minReplicas": plan.choice.replicas, "maxReplicas": plan.choice.replicas * 2,
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                         "type": "Utilization", "averageUtilization": 70}}}]},
        })
    return manifests


def _restricted(pod: dict, container: dict) -> None:
    """The pod and its container under the "restricted" Pod Security Standard (see intent/data/k8s.yaml)."""
    security = _mapping()["pod_security"]
    pod["automountServiceAccountToken"] = False
    pod["securityContext"] = {"runAsNonRoot": True, "runAsUser": security["run_as_user"],
                              "runAsGroup": security["run_as_group"], "fsGroup": security["fs_group"],
                              "seccompProfile": {"type": "RuntimeDefault"}}
    container["securityContext"] = {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
                                    "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}
    # A non-root user needs somewhere to write (model downloads, caches): an emptyDir as HOME.
    container["env"].append({"name": "HOME", "value": security["home"]})
    container["volumeMounts"] = [{"name": "scratch", "mountPath": security["home"]}]
    pod["volumes"] = [{"name": "scratch", "emptyDir": {}}]


def triton_config(plan: ExecutionPlan, catalog: Catalog) -> str:
    device = catalog.device(plan.choice.device_id)
    if device.device_class != "gpu":
        raise ExportError(f"{device.id} is a {device.device_class}; Triton configurations are written for GPU plans")
    platform = TRITON_PLATFORMS.get(plan.choice.runtime.split(" ")[0], "onnxruntime_onnx")
    latency_bound = next((c.constraint.value for c in plan.constraints
                          if c.constraint.metric.value == "latency" and c.constraint.op == "<="), None)
    slack_ms = (latency_bound - plan.metrics.latency_ms) if latency_bound else plan.metrics.latency_ms
    queue_us = max(0, int(min(slack_ms * 0.5, 100.0) * 1000))
    return "\n".join([
        f'name: "{plan.choice.model_id}"',
        f'platform: "{platform}"',
        f"max_batch_size: {plan.choice.batch_size}",
        "instance_group [ { count: 1, kind: KIND_GPU } ]",
        "dynamic_batching {",
        f"  preferred_batch_size: [ {plan.choice.batch_size} ]",
        f"  max_queue_delay_microseconds: {queue_us}",
        "}",
        f'parameters: {{ key: "precision" value: {{ string_value: "{plan.choice.precision}" }} }}',
        "",
    ])


def write(plan: ExecutionPlan, catalog: Catalog, kind: str, directory: str | Path) -> list[Path]:
    """Write the artifacts of ``kind`` (k8s or triton) into ``directory``; returns the files."""
    import yaml

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    if kind == "k8s":
        path = out / f"{_name(plan)}.yaml"
        path.write_text(yaml.safe_dump_all(kubernetes_manifests(plan, catalog), sort_keys=False), encoding="utf-8")
        return [path]
    if kind == "triton":
        model_dir = out / plan.choice.model_id
        model_dir.mkdir(parents=True, exist_ok=True)
        path = model_dir / "config.pbtxt"
        path.write_text(triton_config(plan, catalog), encoding="utf-8")
        return [path]
    raise ExportError(f"unknown export format {kind!r} (k8s or triton)")
