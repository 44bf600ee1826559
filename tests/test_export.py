"""Deployable artifacts: every Kubernetes object validates offline (core objects with
kubernetes-validate, custom resources against their copied CRD schemas), pods run under the
restricted profile, images are pinned, servers scale on their own metric, and Triton
configurations carry the plan's batching."""

from __future__ import annotations

import kubernetes_validate
import pytest
import yaml
from k8s_check import argv, containers, pod_specs, validate

from hardware import load_catalog
from intent import plan
from intent.cli import main
from intent.export import ExportError, dump_yaml, kubernetes_manifests, triton_config

REQUESTS = [
    "cheapest way to serve llama 3 8b at 50 req/s, on-prem",  # vLLM, several replicas, a model without a hub id
    "classify images in 10 ms on an NVIDIA L4, HIPAA",     # Triton; compliance: TLS volume, encrypted cache
    "detect objects on Intel CPUs",                         # OpenVINO Model Server, no accelerator resource
    "chatbot on an AMD MI300X",                             # vLLM's ROCm build, amd.com/gpu
    "classify images on a raspberry pi 5",                  # arm64, Triton's CPU build
    "serve llama 3.2 1b on a jetson orin nano",             # arm64, the L4T llama.cpp image
    "summarize articles with gpt-j 6b on an NVIDIA L4",     # TensorRT-LLM through Triton, engine build first
]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def emitted(catalog):
    return {text: kubernetes_manifests(plan(text, offline=True, record=False), catalog) for text in REQUESTS}


@pytest.mark.parametrize("text", REQUESTS)
def test_every_object_validates_and_servers_scale_on_their_own_metric(emitted, text):
    objects = emitted[text]
    for obj in objects:
        validate(obj)
    kinds = [o["kind"] for o in objects]
    assert {"Deployment", "Service", "ScaledObject"} <= set(kinds)
    assert "HorizontalPodAutoscaler" not in kinds
    trigger = next(o for o in objects if o["kind"] == "ScaledObject")["spec"]["triggers"][0]
    assert trigger["type"] == "prometheus" and "cpu" not in trigger["metadata"]["query"]


def test_no_image_is_unpinned(emitted):
    images = {c["image"] for objects in emitted.values() for o in objects for c in containers(o)}
    assert len(images) >= 6
    for image in images:
        name, _, tag = image.rpartition(":")
        assert name and tag and tag != "latest" and "/" not in tag, image


def test_device_plugin_resources_node_placement_and_policy_fields(emitted):
    hipaa = next(o for o in emitted["classify images in 10 ms on an NVIDIA L4, HIPAA"] if o["kind"] == "Deployment")
    pod = pod_specs(hipaa)[0]
    container = pod["containers"][0]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert pod["nodeSelector"]["nvidia.com/gpu.product"] == "NVIDIA-L4"
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["tls"]["secret"]["secretName"].endswith("-tls")
    claim = volumes["model-cache"]["ephemeral"]["volumeClaimTemplate"]["spec"]
    assert claim["storageClassName"] == "encrypted-at-rest"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    amd = next(o for o in emitted["chatbot on an AMD MI300X"] if o["kind"] == "Deployment")
    assert "amd.com/gpu" in pod_specs(amd)[0]["containers"][0]["resources"]["limits"]
    assert containers(amd)[0]["image"].startswith("rocm/vllm:")
    # AMD's labeller labels the PCI device id: a product name of the catalog's matched no node
    assert pod_specs(amd)[0]["nodeSelector"]["amd.com/gpu.device-id"] == "74a1"


def test_a_cpu_plan_runs_openvino_model_server(emitted):
    deployment = next(o for o in emitted["detect objects on Intel CPUs"] if o["kind"] == "Deployment")
    pod = pod_specs(deployment)[0]
    server = pod["containers"][0]
    assert server["image"] == "openvino/model_server:2024.4"
    args = argv(server)
    assert args[args.index("--target_device") + 1] == "CPU" and "--metrics_enable" in args
    assert pod["nodeSelector"] == {"kubernetes.io/arch": "amd64"}
    assert set(server["resources"]["limits"]) == {"cpu", "memory"}


def test_jetson_and_raspberry_pi_run_arm64_images(emitted, catalog):
    jetson = next(o for o in emitted["serve llama 3.2 1b on a jetson orin nano"] if o["kind"] == "Deployment")
    pod = pod_specs(jetson)[0]
    assert pod["nodeSelector"]["kubernetes.io/arch"] == "arm64"
    assert "-r36.4-" in pod["containers"][0]["image"]  # an L4T (JetPack 6) build
    assert argv(pod["containers"][0])[0] == "llama-server"
    vision = kubernetes_manifests(plan("classify images on a jetson orin nano", offline=True, record=False), catalog)
    vision_pod = pod_specs(next(o for o in vision if o["kind"] == "Deployment"))[0]
    assert vision_pod["containers"][0]["image"].endswith("-igpu")
    assert vision_pod["nodeSelector"]["kubernetes.io/arch"] == "arm64"
    pi = next(o for o in emitted["classify images on a raspberry pi 5"] if o["kind"] == "Deployment")
    assert pod_specs(pi)[0]["nodeSelector"]["kubernetes.io/arch"] == "arm64"


def test_tensorrt_llm_builds_its_engine_before_serving(emitted):
    text = "summarize articles with gpt-j 6b on an NVIDIA L4"
    objects = emitted[text]
    pod = pod_specs(next(o for o in objects if o["kind"] == "Deployment"))[0]
    assert [c["name"] for c in pod["initContainers"]] == ["fetch-model", "engine-build"]  # the checkpoint, then the engine
    build = pod["initContainers"][1]
    assert build["command"] == ["trtllm-build"] and "--max_batch_size" in build["args"]
    config = next(o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].endswith("-config"))["data"]
    text = next(iter(config.values()))
    assert 'backend: "tensorrtllm"' in text and "platform" not in text
    steps = plan("summarize articles with gpt-j 6b on an NVIDIA L4", offline=True, record=False).steps
    assert any("trtllm-build" in step for step in steps)


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
    for c in pod["containers"] + pod.get("initContainers", []):
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
def test_every_pod_runs_under_the_restricted_pod_security_profile(catalog, text):
    result = plan(text, offline=True, record=False)
    pods = [pod for obj in kubernetes_manifests(result, catalog) for pod in pod_specs(obj)]
    assert pods
    for pod in pods:
        assert restricted_profile_problems(pod) == []
        # the uid has no /etc/passwd entry in the serving images: USER names it, or PyTorch's
        # inductor cache (getpass.getuser) stops vLLM at start with KeyError: 'getpwuid(): uid not found'
        for c in pod["containers"] + pod.get("initContainers", []):
            assert {e["name"] for e in c["env"]} >= {"HOME", "USER"}, c["name"]


@pytest.mark.parametrize(("text", "serving", "reason"), [
    # HailoRT runs inside the application: there is no server to deploy
    ("lowest power, classify images in 10ms", "HailoRT", "no server image"),
    # containers on Apple silicon run in a Linux VM without Metal: the native command line instead
    ("serve llama 3.2 3b on apple m3, first token within 3 s, 10 tokens/s per user", "llama.cpp server",
     r"run it natively: llama-server --model /models/llama-3.2-3b-(?:int4|fp16)\.gguf"),
])
def test_a_plan_without_a_container_launch_is_refused_with_the_reason(catalog, text, serving, reason):
    result = plan(text, offline=True, record=False)
    assert result.choice.serving == serving
    with pytest.raises(ExportError, match=reason):
        kubernetes_manifests(result, catalog)


def test_triton_configuration_for_triton_plans_only(catalog):
    gpu = plan("classify images in 10 ms on an NVIDIA L4", offline=True, record=False)
    config = triton_config(gpu, catalog)
    assert 'platform: "tensorrt_plan"' in config
    assert f"max_batch_size: {gpu.choice.batch_size}" in config and "kind: KIND_GPU" in config
    slack_us = (10.0 - gpu.metrics.latency_ms) * 1000
    delay = int(config.split("max_queue_delay_microseconds: ")[1].split()[0])
    assert 0 < delay <= slack_us  # the batcher waits for part of the latency slack, never more
    pi = triton_config(plan("classify images on a raspberry pi 5", offline=True, record=False), catalog)
    assert 'platform: "onnxruntime_onnx"' in pi and "KIND_CPU" in pi
    with pytest.raises(ExportError, match="not Triton"):
        triton_config(plan("detect objects on Intel CPUs", offline=True, record=False), catalog)


def test_yaml_is_plain_without_anchors(catalog):
    objects = kubernetes_manifests(plan("cheapest way to serve llama 3 8b at 50 req/s, on-prem", offline=True, record=False),
                                   catalog)
    shared = {"a": 1}
    text = dump_yaml([*objects, {"apiVersion": "v1", "kind": "List", "x": shared, "y": shared}])
    assert "&id" not in text and "*id" not in text
    assert list(yaml.safe_load_all(text))[:len(objects)] == objects


def test_plan_emit_and_export_write_files(tmp_path):
    assert main(["plan", "--offline", "--emit", "k8s", "-o", str(tmp_path), "classify images in 10 ms on an NVIDIA L4"]) == 0
    written = list(tmp_path.glob("*.yaml"))
    assert len(written) == 1
    text = written[0].read_text()
    assert "&id" not in text
    for obj in yaml.safe_load_all(text):
        validate(obj)
    assert main(["export", "1", "--format", "triton", "-o", str(tmp_path)]) == 0
    assert list(tmp_path.glob("*/config.pbtxt"))


def test_core_objects_are_checked_strictly():
    """The checker itself: an unknown field fails, so a passing object has none."""
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"},
                                      "spec": {"ports": [{"port": 80}], "bogus": 1}}, "1.30.0", strict=True)


def test_the_readme_shows_what_the_plan_emits_today(catalog):
    from paths import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "kubectl apply -f deploy/" in readme
    shown = readme.split("The first command above writes", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    result = plan("serve llama 3.1 70b on NVIDIA H100 SXM at 10 req/s", offline=True, record=False)
    assert list(yaml.safe_load_all(shown)) == kubernetes_manifests(result, catalog), \
        "the README's example drifted from the code: run python scripts/update_readme_example.py and read the diff"


def test_a_triton_export_of_a_plan_no_format_writes_says_so():
    """A Hailo plan's triton export had said 'emit k8s', which then refused too; hints named the plan
    command's flag (--emit) to the export command (-f)."""
    from hardware import load_catalog
    from intent import plan
    from intent.export import ExportError, triton_config

    result = plan("classify images at 30 fps on a hailo-8, under 5 W", offline=True, record=False)
    with pytest.raises(ExportError, match="no image to deploy, so no format writes it") as caught:
        triton_config(result, load_catalog())
    assert "export -f k8s" in caught.value.hint
