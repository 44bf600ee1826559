"""Deployable artifacts: every Kubernetes manifest validates against the official OpenAPI schema
(offline, with kubernetes-validate); Triton configurations carry the plan's batching."""

from __future__ import annotations

import kubernetes_validate
import pytest
import yaml

from hardware import load_catalog
from intent import plan
from intent.cli import main
from intent.export import ExportError, kubernetes_manifests, triton_config

K8S_VERSION = "1.30.0"
REQUESTS = [
    "cheapest way to serve llama 3 8b at 50 req/s",        # replicas > 1: an HPA
    "classify images in 10 ms on an NVIDIA L4, HIPAA",     # compliance: TLS volume, security context
    "chatbot on TPU v5e",                                   # google.com/tpu and GKE TPU labels
    "detect objects on Intel CPUs",                         # no accelerator resource
    "lowest power, classify images in 10ms",               # an edge device without a device plugin
    "chatbot on an AMD MI300X",                             # amd.com/gpu
]


@pytest.mark.parametrize("text", REQUESTS)
def test_every_manifest_validates_against_the_kubernetes_schema(text):
    result = plan(text, offline=True, record=False)
    manifests = kubernetes_manifests(result, load_catalog())
    for manifest in manifests:
        kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)
    kinds = [m["kind"] for m in manifests]
    assert kinds[:2] == ["Deployment", "Service"]
    assert ("HorizontalPodAutoscaler" in kinds) == (result.choice.replicas > 1)


def test_device_plugin_resources_and_policy_fields():
    catalog = load_catalog()
    hipaa = plan("classify images in 10 ms on an NVIDIA L4, HIPAA", offline=True, record=False)
    pod = kubernetes_manifests(hipaa, catalog)[0]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert pod["nodeSelector"]["nvidia.com/gpu.product"].startswith("NVIDIA")
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["tls"]["secret"]["secretName"].endswith("-tls")
    claim = volumes["model-cache"]["ephemeral"]["volumeClaimTemplate"]["spec"]
    assert claim["storageClassName"] == "encrypted-at-rest"
    assert container["securityContext"]["runAsNonRoot"] is True
    tpu = plan("chatbot on TPU v5e", offline=True, record=False)
    tpu_pod = kubernetes_manifests(tpu, catalog)[0]["spec"]["template"]["spec"]
    assert tpu_pod["containers"][0]["resources"]["limits"]["google.com/tpu"] == "1"
    assert tpu_pod["nodeSelector"]["cloud.google.com/gke-tpu-accelerator"] == "tpu-v5-lite-podslice"


RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                      "projected", "secret"}


def restricted_profile_problems(pod: dict) -> list[str]:
    """What the Kubernetes "restricted" Pod Security Standard would reject in a pod spec
    (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted), plus the
    two the issue adds: no service-account token, CPU and memory limits."""
    found = []
    pod_security = pod.get("securityContext", {})
    if pod.get("automountServiceAccountToken") is not False:
        found.append("automountServiceAccountToken is not false")
    for volume in pod.get("volumes", []):
        if not RESTRICTED_VOLUMES & set(volume):
            found.append(f"volume {volume['name']} is of a type the profile forbids")
    for c in pod["containers"]:
        sc = c.get("securityContext", {})
        if not (sc.get("runAsNonRoot", pod_security.get("runAsNonRoot")) is True):
            found.append(f"{c['name']}: runAsNonRoot is not true")
        if 0 in (sc.get("runAsUser"), pod_security.get("runAsUser")):
            found.append(f"{c['name']}: runs as uid 0")
        if sc.get("allowPrivilegeEscalation") is not False:
            found.append(f"{c['name']}: allowPrivilegeEscalation is not false")
        if "ALL" not in sc.get("capabilities", {}).get("drop", []):
            found.append(f"{c['name']}: capabilities do not drop ALL")
        if set(sc.get("capabilities", {}).get("add", [])) - {"NET_BIND_SERVICE"}:
            found.append(f"{c['name']}: adds capabilities")
        seccomp = sc.get("seccompProfile", pod_security.get("seccompProfile", {})).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            found.append(f"{c['name']}: seccompProfile is {seccomp}")
        if sc.get("privileged"):
            found.append(f"{c['name']}: privileged")
        limits = c.get("resources", {}).get("limits", {})
        found += [f"{c['name']}: no {r} limit" for r in ("cpu", "memory") if r not in limits]
    return found


@pytest.mark.parametrize("text", REQUESTS + ["fine-tune bert-large for question answering on 87k records for 2 epochs"])
def test_every_pod_runs_under_the_restricted_pod_security_profile(text):
    result = plan(text, offline=True, record=False)
    for manifest in kubernetes_manifests(result, load_catalog()):
        if manifest["kind"] in ("Deployment", "Job"):
            pod = manifest["spec"]["template"]["spec"]
            assert restricted_profile_problems(pod) == [], manifest["kind"]
            kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)


def test_triton_configuration_for_gpu_plans_only():
    catalog = load_catalog()
    gpu = plan("classify images in 10 ms on an NVIDIA L4", offline=True, record=False)
    config = triton_config(gpu, catalog)
    assert f"max_batch_size: {gpu.choice.batch_size}" in config and "KIND_GPU" in config
    assert "max_queue_delay_microseconds" in config
    with pytest.raises(ExportError):
        triton_config(plan("detect objects on Intel CPUs", offline=True, record=False), catalog)


def test_plan_emit_and_export_write_files(tmp_path):
    assert main(["plan", "--offline", "--emit", "k8s", "-o", str(tmp_path), "classify images in 10 ms on an NVIDIA L4"]) == 0
    written = list(tmp_path.glob("*.yaml"))
    assert len(written) == 1
    for manifest in yaml.safe_load_all(written[0].read_text()):
        kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)
    assert main(["export", "1", "--format", "triton", "-o", str(tmp_path)]) == 0
    assert list(tmp_path.glob("*/config.pbtxt"))
