"""Exported manifests start: what a pod references is in the same export, its requests fit its
node, CPU pods hold the cores the plan assumes, Jetson pods select labels nodes carry, scaling
stays within owned devices, model repositories are filled before the server starts, training
jobs carry the script they run, and a server configuration that cannot serve the model is refused."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml
from k8s_check import argv, containers, pod_specs, validate
from paths import ROOT

from hardware import load_catalog
from intent import plan
from intent.deploy.pods import node_selector
from intent.export import ExportError, kserve_manifests, kubernetes_manifests, triton_config

FINE_TUNE = "fine-tune bert-large for question answering on 87k records for 2 epochs"
EXPORTS = [
    "cheapest way to serve llama 3 8b at 50 req/s, on-prem",
    "classify images in 10 ms on an NVIDIA L4, HIPAA",
    "detect objects on Intel CPUs",
    "classify images on a raspberry pi 5",
    "serve llama 3.2 1b on a jetson orin nano",
    "summarize articles with gpt-j 6b on an NVIDIA L4",
    "serve llama 3.1 70b on NVIDIA H100 SXM at 10 req/s",
    FINE_TUNE,
]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def plans():
    return {}


def planned(plans, text, **kwargs):
    key = (text, tuple(sorted(kwargs.items())))
    if key not in plans:
        plans[key] = plan(text, offline=True, record=False, **kwargs)
    return plans[key]


def pods(obj: dict) -> list[dict]:
    """Every pod spec an object holds, KServe's runtime and predictor included."""
    spec = obj.get("spec", {})
    if obj["kind"] == "ServingRuntime":
        return [{"containers": spec["containers"], "volumes": spec.get("volumes", [])}]
    if obj["kind"] == "InferenceService":
        predictor = spec["predictor"]
        return [{"containers": predictor.get("containers", []), "initContainers": predictor.get("initContainers", []),
                 "volumes": predictor.get("volumes", [])}]
    return pod_specs(obj)


def references(pod: dict) -> set[tuple[str, str]]:
    """The objects a pod needs before it starts: mounted ConfigMaps and claims, required Secrets,
    environment from either, and its service account."""
    out = set()
    for volume in pod.get("volumes", []):
        if "configMap" in volume and not volume["configMap"].get("optional"):
            out.add(("ConfigMap", volume["configMap"]["name"]))
        if "secret" in volume and not volume["secret"].get("optional"):
            out.add(("Secret", volume["secret"]["secretName"]))
        if "persistentVolumeClaim" in volume:
            out.add(("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"]))
    for c in pod.get("containers", []) + pod.get("initContainers", []):
        for source in c.get("envFrom", []):
            for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                if key in source and not source[key].get("optional"):
                    out.add((kind, source[key]["name"]))
        for env in c.get("env", []):
            for kind, key in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                ref = env.get("valueFrom", {}).get(key)
                if ref and not ref.get("optional"):
                    out.add((kind, ref["name"]))
    if pod.get("serviceAccountName", "default") != "default":
        out.add(("ServiceAccount", pod["serviceAccountName"]))
    return out


def missing_references(objects: list[dict]) -> set[tuple[str, str]]:
    emitted = {(o["kind"], o["metadata"]["name"]) for o in objects}
    return {ref for obj in objects for pod in pods(obj) for ref in references(pod)} - emitted


@pytest.mark.parametrize("text", EXPORTS)
def test_every_object_a_pod_references_is_in_the_same_export(plans, catalog, text):
    objects = kubernetes_manifests(planned(plans, text), catalog)
    for obj in objects:
        validate(obj)
    assert missing_references(objects) == set()


@pytest.mark.parametrize("text", ["classify images in 10 ms on an NVIDIA L4", "detect objects on Intel CPUs",
                                  "serve llama 3.1 70b on NVIDIA H100 SXM at 10 req/s"])
def test_every_object_a_kserve_pod_references_is_in_the_same_export(plans, catalog, text):
    objects = kserve_manifests(planned(plans, text), catalog)
    for obj in objects:
        validate(obj)
    assert missing_references(objects) == set()


def test_the_reference_check_sees_a_missing_config_map():
    pod = {"containers": [], "volumes": [{"name": "train", "configMap": {"name": "job-train"}},
                                         {"name": "token", "secret": {"secretName": "token", "optional": True}}]}
    job = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "job"}, "spec": {"template": {"spec": pod}}}
    assert missing_references([job]) == {("ConfigMap", "job-train")}


# 1. Training jobs: the script they run, shipped with them, and /dev/shm for data loader workers.

def training_objects(plans, catalog):
    objects = kubernetes_manifests(planned(plans, FINE_TUNE), catalog)
    job = next(o for o in objects if o["kind"] == "PyTorchJob")
    return objects, job, pod_specs(job)[0]


def test_a_training_job_ships_the_script_it_runs_and_shared_memory(plans, catalog):
    objects, _, pod = training_objects(plans, catalog)
    trainer = next(c for c in pod["containers"] if c["name"] == "pytorch")
    script = trainer["args"][0]
    mount = next(m for m in trainer["volumeMounts"] if script.startswith(m["mountPath"] + "/"))
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    config = next(o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"] == volume["configMap"]["name"])
    assert Path(script).name in config["data"]
    assert config["data"][Path(script).name] == (ROOT / "intent" / "deploy" / "train.py").read_text()
    shm = next(m for m in trainer["volumeMounts"] if m["mountPath"] == "/dev/shm")
    assert next(v for v in pod["volumes"] if v["name"] == shm["name"])["emptyDir"]["medium"] == "Memory"


def load_script(text: str, path: Path):
    """The emitted script as a module (it imports torch only when it runs)."""
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_training_script_accepts_the_arguments_the_job_passes(plans, catalog, tmp_path):
    objects, _, pod = training_objects(plans, catalog)
    trainer = next(c for c in pod["containers"] if c["name"] == "pytorch")
    script = next(o for o in objects if o["metadata"]["name"].endswith("-train"))["data"]["train.py"]
    args = load_script(script, tmp_path / "emitted_train.py").parse(trainer["args"][1:])
    assert args.epochs == 2 and args.model_class == "AutoModelForQuestionAnswering"
    env = {e["name"]: e.get("value") for e in trainer["env"]}
    assert "TRAIN_DATA" in env and env["PYTHONUSERBASE"]
    names = [c["name"] for c in pod["initContainers"]]
    assert "install-packages" in names  # transformers, which the PyTorch image lacks
    assert names[0] == "fetch-model" and args.model.startswith("/models/")  # bert-large has no hub id


# 2. and 3. Requests that fit the node; CPU pods hold the cores the plan assumes.

def server(objects: list[dict]) -> dict:
    return next(c for o in objects if o["kind"] == "Deployment" for c in pod_specs(o)[0]["containers"])


def gi(quantity: str) -> float:
    assert quantity.endswith("Gi"), quantity
    return float(quantity[:-2])


@pytest.mark.parametrize("text, board_gb", [
    ("serve llama 3.1 8b on a raspberry pi 5", 8),  # a 4.9 GB model: 8Gi before, more than the board leaves
    ("serve llama 3.2 1b on a jetson orin nano", 8),  # unified memory: the module's 8 GB is the node's
    ("classify images on a raspberry pi 5", 8),
])
def test_pods_ask_for_no_more_memory_than_their_board_leaves(plans, catalog, text, board_gb):
    objects = kubernetes_manifests(planned(plans, text, defaults=False), catalog)
    for obj in objects:
        for c in containers(obj):
            for amounts in (c["resources"]["requests"], c["resources"]["limits"]):
                assert gi(amounts["memory"]) <= board_gb - 1, (c["name"], amounts)


def test_a_plan_whose_memory_does_not_fit_its_board_is_refused_naming_the_numbers(plans, catalog):
    result = planned(plans, "serve llama 3.1 8b on a raspberry pi 5", defaults=False)
    too_big = result.model_copy(update={"metrics": result.metrics.model_copy(update={"memory_gb": 9.5})})
    with pytest.raises(ExportError, match=r"needs 9\.5 GB .* holds 8 GB, 7\.0 GiB of it left to pods"):
        kubernetes_manifests(too_big, catalog)


@pytest.mark.parametrize("text, cores", [("detect objects on Intel CPUs", 56), ("classify images on a raspberry pi 5", 4)])
def test_cpu_pods_hold_the_cores_the_plan_assumes(plans, catalog, text, cores):
    result = planned(plans, text)
    assert catalog.device(result.choice.device_id).cores.value == cores
    resources = server(kubernetes_manifests(result, catalog))["resources"]
    assert resources["limits"]["cpu"] == str(cores)
    # The request leaves the node its reserve (k8s.yaml node_reserved.cpu_m), so that the pod is scheduled.
    assert resources["requests"]["cpu"] == f"{cores * 1000 - 500}m"


# 4. Jetson: node labels GPU feature discovery sets.

def test_jetson_pods_select_labels_feature_discovery_sets(plans, catalog):
    pod = pod_specs(next(o for o in kubernetes_manifests(planned(plans, "serve llama 3.2 1b on a jetson orin nano"),
                                                         catalog) if o["kind"] == "Deployment"))[0]
    assert pod["nodeSelector"] == {"kubernetes.io/arch": "arm64", "nvidia.com/gpu.family": "ampere"}
    # GFD names the family by the CUDA compute capability: Orin 8.7 -> ampere, Xavier 7.2 -> volta.
    assert node_selector(catalog.device("nvidia-jetson-xavier-nx-8gb"))["nvidia.com/gpu.family"] == "volta"
    assert node_selector(catalog.device("nvidia-jetson-agx-orin-64gb"))["nvidia.com/gpu.family"] == "ampere"


# 5. Autoscaling within the owned devices.

@pytest.fixture(scope="module")
def four_l4(tmp_path_factory):
    path = tmp_path_factory.mktemp("inventory") / "inventory.yaml"
    path.write_text("schema_version: 1\ndevices:\n  - {id: nvidia-l4, count: 4, placement: on-prem}\n")
    return str(path)


@pytest.mark.parametrize("text", ["maximize throughput serving llama 3.1 8b", "classify images at maximum throughput"])
def test_autoscaling_never_asks_for_more_devices_than_the_inventory_holds(plans, catalog, four_l4, text):
    result = planned(plans, text, inventory=four_l4)
    c = result.choice
    assert c.device_id == "nvidia-l4"
    ceiling = 4 // c.devices_per_replica
    scaler = next(o for o in kubernetes_manifests(result, catalog) if o["kind"] == "ScaledObject")["spec"]
    assert c.replicas <= scaler["maxReplicaCount"] <= ceiling
    isvc = next(o for o in kserve_manifests(result, catalog) if o["kind"] == "InferenceService")
    assert isvc["spec"]["predictor"]["maxReplicas"] <= ceiling


def test_owned_devices_named_in_the_request_bound_scaling_too(plans, catalog):
    result = planned(plans, "I have 4 L4s: classify images at 5000 req/s")
    c = result.choice
    scaler = next(o for o in kubernetes_manifests(result, catalog) if o["kind"] == "ScaledObject")["spec"]
    assert c.replicas <= scaler["maxReplicaCount"] <= 4 // c.devices_per_replica
    # Rented devices: the configured factor.
    rented = planned(plans, "serve llama 3.1 70b on NVIDIA H100 SXM at 10 req/s")
    scaler = next(o for o in kubernetes_manifests(rented, catalog) if o["kind"] == "ScaledObject")["spec"]
    assert scaler["maxReplicaCount"] == 2 * rented.choice.replicas


def test_fleet_services_scale_within_the_slots_their_pool_leaves(tmp_path):
    from intent.api import fleet_inputs, plan_fleet
    from intent.deploy.fleet import fleet_manifests, placement_names, spare_slots
    from intent.settings import load_settings

    data = yaml.safe_load((ROOT / "examples" / "fleet.yaml").read_text())
    data["workloads"] = [w for w in data["workloads"] if w["name"] not in ("clinical-dictation", "news-summaries")]
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(data))
    fleet_plan = plan_fleet(str(path))
    catalog = load_catalog()
    fleet, workloads, _ = fleet_inputs(str(path), catalog, load_settings())
    files = fleet_manifests(fleet_plan, fleet, workloads, catalog)
    spare = spare_slots(fleet_plan, {item.name: item for item in fleet.inventory})
    for a, name in zip(fleet_plan.assignments, placement_names(fleet_plan)):
        for scaler in (o for o in files[f"{name}.yaml"] if o["kind"] == "ScaledObject"):
            assert scaler["spec"]["maxReplicaCount"] <= a.replicas + spare[a.pool] // a.slots_per_replica


# 6. Model repositories: per pod, filled before the server starts.

def model_files(objects: list[dict]) -> tuple[dict, dict]:
    """The server's pod and its fetch-model init container."""
    pod = pod_specs(next(o for o in objects if o["kind"] == "Deployment"))[0]
    return pod, pod["initContainers"][0]


@pytest.mark.parametrize("text, read_from", [
    ("classify images in 10 ms on an NVIDIA L4", lambda args: None),  # Triton: the model file of the version directory
    ("detect objects on Intel CPUs", lambda args: args[args.index("--model_path") + 1] + "/1"),
    ("cheapest way to serve llama 3 8b at 50 req/s, on-prem", lambda args: args[2]),  # vLLM: a model without a hub id
])
def test_model_repositories_are_per_pod_and_filled_before_the_server_starts(plans, catalog, text, read_from):
    result = planned(plans, text)
    objects = kubernetes_manifests(result, catalog)
    assert "PersistentVolumeClaim" not in {o["kind"] for o in objects}
    pod, fetch = model_files(objects)
    assert fetch["name"] == "fetch-model"
    models = next(v for v in pod["volumes"] if v["name"] == "models")
    assert "emptyDir" in models or "ephemeral" in models  # each replica its own, on whichever node it lands
    env = {e["name"]: e.get("value") for e in fetch["env"]}
    assert env["MODEL_SOURCE"] == "" and env["MODEL_PATH"].startswith("/models/")
    expected = read_from(argv(pod["containers"][0]))
    if expected is not None:
        assert env["MODEL_PATH"] == expected
    else:
        assert env["MODEL_PATH"].endswith("/1/model.plan") or env["MODEL_PATH"].endswith("/1/model.onnx")


def run_fetch(script: Path, root: Path, model_path: str, source: str):
    env = {"MODEL_ROOT": str(root), "MODEL_PATH": str(root / model_path), "MODEL_SOURCE": source,
           "MODEL_FORMAT": "a test model", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60,
                          check=False)


def test_the_fetch_script_fills_the_repository_or_says_what_to_set(plans, catalog, tmp_path):
    objects = kubernetes_manifests(planned(plans, "classify images in 10 ms on an NVIDIA L4"), catalog)
    fetch_map = next(o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].endswith("-fetch"))
    script = tmp_path / "fetch_model.py"
    script.write_text(fetch_map["data"]["fetch_model.py"])
    root = tmp_path / "models"
    (root / "m" / "1").mkdir(parents=True)
    (root / "m" / "1" / "model.onnx").write_bytes(b"half")  # an extraction cut off before it completed
    unset = run_fetch(script, root, "m/1/model.onnx", "")
    assert unset.returncode == 1 and "MODEL_SOURCE is not set" in unset.stderr and "m/1/model.onnx" in unset.stderr
    archive = tmp_path / "m.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        data = b"onnx bytes"
        info = tarfile.TarInfo("m/1/model.onnx")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    filled = run_fetch(script, root, "m/1/model.onnx", archive.as_uri())
    assert filled.returncode == 0, filled.stderr
    assert (root / "m" / "1" / "model.onnx").read_bytes() == b"onnx bytes"
    assert run_fetch(script, root, "m/1/model.onnx", "").returncode == 0  # a restarted pod finds it there
    single = tmp_path / "model.gguf"
    single.write_bytes(b"gguf")
    assert run_fetch(script, root, "x.gguf", single.as_uri()).returncode == 0 and (root / "x.gguf").exists()
    wrong = run_fetch(script, root, "other/1/model.onnx", archive.as_uri())
    assert wrong.returncode == 1 and "did not provide" in wrong.stderr


def test_an_encrypting_regime_checks_its_tls_secret_before_anything_starts(plans, catalog, tmp_path):
    objects = kubernetes_manifests(planned(plans, "classify images in 10 ms on an NVIDIA L4, HIPAA"), catalog)
    pod = pod_specs(next(o for o in objects if o["kind"] == "Deployment"))[0]
    check = pod["initContainers"][0]
    assert check["name"] == "tls-check" and check["command"][:2] == ["/bin/sh", "-c"]
    tls = next(v for v in pod["volumes"] if v["name"] == "tls")["secret"]
    assert tls["secretName"].endswith("-tls") and tls["optional"] is True  # so that the check runs and says why
    script = check["command"][2].replace("/etc/tls", str(tmp_path))
    missing = subprocess.run(["/bin/sh", "-c", script], capture_output=True, text=True, check=False)
    assert missing.returncode == 1 and f"kubectl create secret tls {tls['secretName']}" in missing.stderr
    (tmp_path / "tls.crt").write_text("certificate")
    (tmp_path / "tls.key").write_text("key")
    assert subprocess.run(["/bin/sh", "-c", script], check=False).returncode == 0


# 7. A serving configuration that cannot serve the model is refused, with the reason.

@pytest.mark.parametrize("text", ["summarize articles on an NVIDIA L4"])
def test_an_encoder_decoder_model_is_not_served_with_a_decoder_only_config(plans, catalog, text):
    result = planned(plans, text)
    assert result.choice.serving == "Triton Inference Server (TensorRT-LLM backend)"
    with pytest.raises(ExportError, match="is an encoder-decoder model .*decoder-only"):
        kubernetes_manifests(result, catalog)
    with pytest.raises(ExportError, match="encoder-decoder"):
        triton_config(result, catalog)


def test_whisper_is_served_by_vllm_in_16_bit_with_its_decoders_length(plans, catalog):
    # Whisper on an NVIDIA GPU was planned on the decoder-only TensorRT-LLM configuration, which
    # cannot serve it, so its export was refused; vLLM serves it (MLPerf's Whisper reference does).
    result = planned(plans, "transcribe audio on an NVIDIA L4")
    assert result.choice.serving == "vLLM" and result.choice.precision in ("fp16", "bf16")
    manifests = kubernetes_manifests(result, catalog)
    (deployment,) = [o for o in manifests if o["kind"] == "Deployment"]
    for obj in manifests:
        validate(obj)
    args = pod_specs(deployment)[0]["containers"][0]["args"]
    assert args[args.index("--max-model-len") + 1] == "448"  # max_target_positions, not the 1,500 encoder frames
    # fetched by its Hugging Face id as published (it had waited for a MODEL_SOURCE to fill /models)
    assert args[0] == catalog.model(result.choice.model_id).hf_repo and args[0].split("/")[0] in ("openai",
                                                                                                 "distil-whisper")


def test_a_decoder_only_model_still_gets_the_tensorrt_llm_config(plans, catalog):
    text = triton_config(planned(plans, "summarize articles with gpt-j 6b on an NVIDIA L4"), catalog)
    assert 'name: "input_ids"' in text and 'backend: "tensorrtllm"' in text


def test_a_sharded_training_plan_exports_a_sharded_job(plans, catalog, tmp_path):
    """A full fine-tune whose 153.6 GB state the plan shards over 4 L40S had been exported with plain
    DistributedDataParallel: each rank would hold it whole on a 48 GB card."""
    result = planned(plans, "fine-tune llama 3 8b on 50k examples on NVIDIA GPUs, done within 12 hours")
    assert result.job.sharded and result.job.devices > 1
    objects = kubernetes_manifests(result, catalog)
    trainer = next(c for o in objects if o["kind"] == "PyTorchJob" for c in pod_specs(o)[0]["containers"]
                   if c["name"] == "pytorch")
    assert "--shard" in trainer["args"]
    script = next(o for o in objects if o["metadata"]["name"].endswith("-train"))["data"]["train.py"]
    module = load_script(script, tmp_path / "sharded_train.py")
    assert module.parse(trainer["args"][1:]).shard
    assert "FullyShardedDataParallel" in script and "FULL_STATE_DICT" in script


def _env(container: dict) -> dict[str, str]:
    return {v["name"]: v.get("value") for v in container.get("env", [])}


@pytest.mark.parametrize("regime", ["", ", HIPAA"])
def test_tgi_on_gaudi_keeps_its_hub_cache_where_the_pod_may_write(plans, catalog, regime):
    # the tgi-gaudi image sets HUGGINGFACE_HUB_CACHE=/data, which outranks HOME: a non-root pod could not
    # write the weights there; an encrypting regime keeps them on its encrypted volume
    result = planned(plans, f"chatbot on Gaudi 2 in bf16{regime}")
    server = next(c for obj in kubernetes_manifests(result, catalog) for c in containers(obj)
                  if c["image"].startswith("ghcr.io/huggingface/tgi-gaudi"))
    env = _env(server)
    value = env["HUGGINGFACE_HUB_CACHE"]
    assert value == (f"{env['HF_HOME']}/hub" if regime else "/scratch/huggingface/hub")
    mounts = [m["mountPath"] for m in server["volumeMounts"]]
    assert any(value.startswith(m + "/") for m in mounts)


def test_an_fp8_plan_on_tgi_gaudi_is_refused_naming_the_measurement_it_needs(plans, catalog):
    # served without its measured statistics it would run in bf16: a plan other than the one exported
    result = planned(plans, "chatbot on Gaudi 2")
    assert result.choice.precision == "fp8"
    with pytest.raises(ExportError, match="QUANT_CONFIG.*in bf16"):
        kubernetes_manifests(result, catalog)


def test_a_diffusion_pipeline_is_not_exported_as_one_triton_model(plans, catalog):
    result = planned(plans, "SDXL with 30 steps on H100 at 2 images/s")
    with pytest.raises(ExportError, match="diffusion pipeline.*Python backend"):
        kubernetes_manifests(result, catalog)


def test_a_device_without_a_pinned_image_is_not_told_about_linux_vms(plans, catalog):
    result = planned(plans, "classify images with resnet50 on AMD MI300X at 1000 req/s")
    with pytest.raises(ExportError, match="no pinned container image for AMD") as refused:
        kubernetes_manifests(result, catalog)
    assert "Linux VM" not in str(refused.value)


@pytest.mark.parametrize("text, directory", [
    ("embed text with bge-small-en-v1.5 on a T4 at 500 req/s", "bge-small-en-v1_5"),
    ("summarize news articles with gpt-j 6b on H100 at 5 req/s", "tensorrt_llm"),
])
def test_a_triton_repository_directory_is_named_as_its_config_names_the_model(plans, catalog, tmp_path, text,
                                                                               directory):
    # Triton: "if name is specified it must match the name of the model repository directory"
    from intent.export import write

    [path] = write(planned(plans, text), catalog, "triton", tmp_path)
    assert path.parent.name == directory and f'name: "{directory}"' in path.read_text(encoding="utf-8")


def test_openvino_model_server_takes_single_requests_and_keeps_the_planned_batch_in_flight(plans, catalog):
    # --batch_size 8 made every request carry 8 inputs (OVMS combines no requests), so one embedding failed
    result = planned(plans, "embed text at 800 req/s within 50 ms")
    assert result.choice.batch_size > 1
    server = next(c for obj in kubernetes_manifests(result, catalog) for c in containers(obj)
                  if "openvino/model_server" in c["image"])
    args = argv(server)
    assert not any(a.startswith("--batch_size") for a in args)
    assert int(args[args.index("--nireq") + 1]) >= result.choice.batch_size
