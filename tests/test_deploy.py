"""LLM serving layouts, training jobs, fleets and Dynamic Resource Allocation as Kubernetes objects,
and every runtime's emitted options against the option list its documentation gives.

Layouts today's planner does not produce (a 405B model across nodes, disaggregated prefill and
decode) are built by copying a real plan with the layout fields the serving planner adds
(``LayoutChoice`` below declares them as that planner's Choice will)."""

from __future__ import annotations

import json

import pytest
import yaml
from k8s_check import argv, containers, pod_specs, validate
from paths import DATA, ROOT

from hardware import load_catalog
from intent import plan
from intent.cli import main
from intent.deploy.config import launches
from intent.deploy.launch import server_launch
from intent.deploy.target import from_plan
from intent.export import EmitOptions, kubernetes_manifests
from planner.plan import Choice

OPTIONS = DATA / "runtime-options"


class LayoutChoice(Choice):
    """A Choice with the LLM serving layout the serving planner adds."""

    tensor_parallel: int | None = None
    pipeline_parallel: int | None = None
    expert_parallel: int | None = None
    devices_per_replica: int | None = None
    prefill_workers: int | None = None
    decode_workers: int | None = None


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def llm_plan():
    """A real plan: Llama 3.1 70B on H100 SXM, tensor parallel across two GPUs."""
    return plan("serve llama 3.1 70b on NVIDIA H100 SXM at 10 req/s", offline=True, record=False)


def with_layout(base, **fields):
    return base.model_copy(update={"choice": LayoutChoice(**{**base.choice.model_dump(), **fields})})


def kinds(objects):
    return [o["kind"] for o in objects]


def server(objects, kind="Deployment"):
    return containers(next(o for o in objects if o["kind"] == kind))[0]


def flag(args, name):
    return args[args.index(name) + 1]


def test_a_70b_plan_with_tensor_parallelism(llm_plan, catalog):
    c = llm_plan.choice
    assert c.tensor_parallel >= 2 and c.serving == "vLLM"
    objects = kubernetes_manifests(llm_plan, catalog)
    for obj in objects:
        validate(obj)
    assert kinds(objects) == ["Deployment", "Service", "ScaledObject"]
    container = server(objects)
    args = argv(container)
    assert args[:3] == ["vllm", "serve", "meta-llama/Llama-3.1-70B-Instruct"]  # the Hugging Face repo id
    assert flag(args, "--tensor-parallel-size") == str(c.tensor_parallel)
    assert flag(args, "--pipeline-parallel-size") == str(c.pipeline_parallel)
    assert flag(args, "--max-num-seqs") == str(llm_plan.choice.batch_size)
    assert flag(args, "--quantization") == "fp8" and flag(args, "--kv-cache-dtype") == "fp8"
    # the longest sequence the KV cache holds, within the model's context: not the usual 512 + 256 tokens,
    # which rejected every longer prompt
    context = catalog.models[c.model_id].architecture.max_context
    assert min(context, (512 + 256) * c.batch_size) <= int(flag(args, "--max-model-len")) <= context
    assert container["resources"]["limits"]["nvidia.com/gpu"] == str(c.tensor_parallel * c.pipeline_parallel)
    pod = pod_specs(next(o for o in objects if o["kind"] == "Deployment"))[0]
    assert any(v.get("emptyDir", {}).get("medium") == "Memory" for v in pod["volumes"])  # /dev/shm for NCCL
    trigger = next(o for o in objects if o["kind"] == "ScaledObject")["spec"]["triggers"][0]
    assert "vllm:num_requests_waiting" in trigger["metadata"]["query"]


def test_a_prompt_past_the_config_context_runs_with_the_cards_rope_scaling(catalog):
    # "128k输入" on Qwen2.5 72B was refused as past its 32,768-token config; its card documents 131,072 with YaRN
    planned = plan("长上下文，128k输入，qwen2.5 72b，总结长文档，首字延迟不超过10秒", offline=True, record=False)
    assert planned.choice.model_id == "qwen2.5-72b" and planned.intent.workload.prompt_tokens == 128_000
    assert any("rope scaling" in a and "131,072" in a for a in planned.assumptions)
    objects = kubernetes_manifests(planned, catalog)
    for obj in objects:
        validate(obj)
    args = argv(server(objects))
    assert json.loads(flag(args, "--hf-overrides"))["rope_scaling"] == {
        "rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}
    assert 128_000 < int(flag(args, "--max-model-len")) <= 131_072
    short = argv(server(kubernetes_manifests(plan("qwen2.5 72b, 10 concurrent users", offline=True, record=False),
                                             catalog)))
    assert "--hf-overrides" not in short  # the card's scaling only where a request needs it


def test_tensor_times_pipeline_devices_in_one_pod(llm_plan, catalog):
    two_by_two = with_layout(llm_plan, shards=2, tensor_parallel=2, pipeline_parallel=2, devices_per_replica=4,
                             prefill_workers=None, decode_workers=None)
    container = server(kubernetes_manifests(two_by_two, catalog))
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "4"
    assert flag(argv(container), "--pipeline-parallel-size") == "2"


def test_a_405b_plan_across_nodes_is_a_leaderworkerset(llm_plan, catalog):
    big = with_layout(llm_plan, model_id="llama-3.1-405b", precision="bf16", replicas=2, shards=8,
                      tensor_parallel=8, pipeline_parallel=2, devices_per_replica=16)
    objects = kubernetes_manifests(big, catalog)
    for obj in objects:
        validate(obj)
    assert kinds(objects) == ["LeaderWorkerSet", "Service", "ScaledObject"]
    lws = objects[0]
    template = lws["spec"]["leaderWorkerTemplate"]
    assert lws["spec"]["replicas"] == 2 and template["size"] == 2  # 16 GPUs over nodes of 8
    leader, worker = template["leaderTemplate"]["spec"], template["workerTemplate"]["spec"]
    for pod in (leader, worker):
        assert pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "8"
    args = argv(leader["containers"][0])
    assert args[2] == "meta-llama/Llama-3.1-405B-Instruct"
    assert flag(args, "--tensor-parallel-size") == "8" and flag(args, "--pipeline-parallel-size") == "2"
    assert flag(args, "--distributed-executor-backend") == "ray"
    assert "multi-node-serving.sh worker" in worker["containers"][0]["args"][0]
    assert objects[1]["spec"]["selector"]["role"] == "leader"
    assert objects[2]["spec"]["scaleTargetRef"]["kind"] == "LeaderWorkerSet"


def test_a_disaggregated_plan_has_one_workload_per_role(llm_plan, catalog):
    split = with_layout(llm_plan, prefill_workers=2, decode_workers=3)
    objects = kubernetes_manifests(split, catalog)
    for obj in objects:
        validate(obj)
    deployments = {o["metadata"]["name"].rsplit("-", 1)[1]: o for o in objects if o["kind"] == "Deployment"
                   and o["metadata"]["name"].endswith(("-prefill", "-decode"))}
    assert set(deployments) == {"prefill", "decode"}
    # the clients' endpoint is a router that sends each request to a prefill server, then to a decode
    # server with the KV cache's transfer parameters (without it each pool served requests end to end)
    name = deployments["prefill"]["metadata"]["name"].removesuffix("-prefill")
    router = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == name)
    args = argv(containers(router)[0])
    assert "--vllm-pd-disaggregation" in args
    assert flag(args, "--prefill") == f"http://{name}-prefill:8000" and flag(args, "--decode") == f"http://{name}-decode:8000"
    install = pod_specs(router)[0]["initContainers"][0]
    assert "vllm-router==0.1.15" in argv(install)
    assert any(o["kind"] == "Service" and o["metadata"]["name"] == name for o in objects)
    assert deployments["prefill"]["spec"]["replicas"] == 2 and deployments["decode"]["spec"]["replicas"] == 3
    for deployment in deployments.values():
        container = containers(deployment)[0]
        config = json.loads(flag(argv(container), "--kv-transfer-config"))
        assert config == {"kv_connector": "NixlConnector", "kv_role": "kv_both"}
        env = {e["name"]: e for e in container["env"]}
        assert env["VLLM_NIXL_SIDE_CHANNEL_HOST"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP"
    assert kinds(objects).count("ScaledObject") == 2
    # a worker pod holds its own tensor x pipeline devices, and every replica has its workers (each pod asked
    # for the whole replica's devices, half of them idle, and one Deployment replica stood for every plan replica)
    c = split.choice
    for deployment in deployments.values():
        limits = containers(deployment)[0]["resources"]["limits"]
        assert limits["nvidia.com/gpu"] == str(c.tensor_parallel * c.pipeline_parallel)
    doubled = split.model_copy(update={"choice": c.model_copy(update={"replicas": 2 * c.replicas})})
    twice = {o["metadata"]["name"].rsplit("-", 1)[1]: o["spec"]["replicas"]
             for o in kubernetes_manifests(doubled, catalog) if o["kind"] == "Deployment"
             and o["metadata"]["name"].endswith(("-prefill", "-decode"))}
    assert twice == {"prefill": 2 * 2 * c.replicas, "decode": 3 * 2 * c.replicas}


def test_a_fine_tuning_plan_is_a_pytorchjob_with_its_kueue_queue(tmp_path):
    text = "fine-tune bert-large for question answering on 87k records for 2 epochs"
    assert main(["plan", "--offline", "--no-history", "--emit", "k8s", "--queue", "team-a", "-o", str(tmp_path),
                 text]) == 0
    (written,) = tmp_path.glob("*.yaml")
    objects = list(yaml.safe_load_all(written.read_text()))
    for obj in objects:
        validate(obj)
    (job,) = [o for o in objects if o["kind"] == "PyTorchJob"]
    assert {o["metadata"]["name"] for o in objects if o["kind"] == "ConfigMap"} >= {job["metadata"]["name"] + "-train"}
    assert job["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "team-a"
    master = job["spec"]["pytorchReplicaSpecs"]["Master"]["template"]["spec"]["containers"][0]
    assert master["name"] == "pytorch" and master["command"] == ["torchrun"]
    assert "--epochs=2" in master["args"] and master["resources"]["limits"]["nvidia.com/gpu"] == "1"


def test_dra_claims_the_planned_device_by_its_attributes(llm_plan, catalog):
    objects = kubernetes_manifests(llm_plan, catalog, EmitOptions(dra=True))
    for obj in objects:
        validate(obj, "1.34.0")
    claim = objects[0]
    assert claim["kind"] == "ResourceClaimTemplate" and claim["apiVersion"] == "resource.k8s.io/v1"
    request = claim["spec"]["spec"]["devices"]["requests"][0]["exactly"]
    assert request["deviceClassName"] == "gpu.nvidia.com" and request["count"] == llm_plan.choice.devices_per_replica
    assert '"NVIDIA H100 80GB HBM3"' in request["selectors"][0]["cel"]["expression"]
    pod = pod_specs(next(o for o in objects if o["kind"] == "Deployment"))[0]
    assert pod["resourceClaims"][0]["resourceClaimTemplateName"] == claim["metadata"]["name"]
    assert "nvidia.com/gpu" not in pod["containers"][0]["resources"]["limits"]
    assert pod["containers"][0]["resources"]["claims"] == [{"name": "accelerators"}]


#: Workloads of examples/fleet.yaml that the fleet places on encoder-decoder models served by the
#: TensorRT-LLM backend, whose decoder-only configuration cannot serve them (refused at export).
#: Workloads whose encoder-decoder models no exported serving config takes (Whisper's mel input,
#: BART's encoder), named so that the models are these.
ENCODER_DECODER_WORKLOADS = {"translation": "translate English to German at 5 req/s within 2 s",
                             "summaries": "summarize articles with distilbart at 2 req/s within 20 s"}


@pytest.fixture(scope="module")
def fleet_file():
    """examples/fleet.yaml, which the README exports."""
    return ROOT / "examples" / "fleet.yaml"


def test_a_fleet_with_a_placement_export_cannot_serve_is_refused_naming_each(tmp_path, capsys):
    data = yaml.safe_load((ROOT / "examples" / "fleet.yaml").read_text())
    data["inventory"] = [{"id": "nvidia-l4", "count": 8, "placement": "on-prem"}]
    data["workloads"] = [{"name": n, "request": r} for n, r in ENCODER_DECODER_WORKLOADS.items()]
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    assert main(["fleet", "plan", str(path), "--emit", "k8s", "-o", str(out)]) != 0
    err = capsys.readouterr().err
    assert all(name in err for name in ENCODER_DECODER_WORKLOADS) and "encoder-decoder" in err
    assert not list(out.glob("*.yaml"))


def test_fleet_plan_emits_every_placement_and_the_sharing_config(tmp_path, fleet_file):
    assert main(["fleet", "plan", str(fleet_file), "--emit", "k8s", "-o", str(tmp_path)]) == 0
    result = plan_fleet_json(fleet_file)
    files = {p.name: list(yaml.safe_load_all(p.read_text())) for p in tmp_path.glob("*.yaml")}
    placements = [a for a in result["assignments"]]
    assert len(files) == len(placements) + 1, "one file per placement, and the GPU sharing config"
    workloads = [o for objects in files.values() for o in objects if o["kind"] in ("Deployment", "PyTorchJob")]
    assert len(workloads) == len(placements), "one workload per placement, a mixed-pool service's included"
    for objects in files.values():
        for obj in objects:
            validate(obj)
    (slicing,) = [o for o in files["gpu-sharing.yaml"] if o["metadata"]["name"] == "intentctl-time-slicing"]
    config = yaml.safe_load(slicing["data"]["nvidia-t4-x2"])
    assert config["sharing"]["timeSlicing"]["resources"] == [{"name": "nvidia.com/gpu", "replicas": 2}]
    from intent.api import plan_fleet
    from intent.deploy.fleet import placement_names

    fleet = plan_fleet(str(fleet_file))
    t4 = next(name for name, a in zip(placement_names(fleet), fleet.assignments) if a.pool.startswith("nvidia-t4"))
    pod = pod_specs(next(o for o in files[f"{t4}.yaml"] if o["kind"] in ("Deployment", "PyTorchJob")))[0]
    assert pod["nodeSelector"]["nvidia.com/device-plugin.config"] == "nvidia-t4-x2"


def plan_fleet_json(path):
    from intent.api import plan_fleet

    return plan_fleet(str(path)).model_dump(mode="json")


def test_mig_slices_are_requested_as_the_device_plugin_names_them(tmp_path):
    fleet = tmp_path / "mig.yaml"
    fleet.write_text(yaml.safe_dump({"schema_version": 1, "inventory": [
        {"id": "nvidia-a100-sxm-80gb", "count": 1, "placement": "on-prem", "sharing": {"mig": 7}}],
        "workloads": [{"name": "embeddings", "request": "embed text at 100 req/s within 50 ms"}]}))
    out = tmp_path / "out"
    assert main(["fleet", "plan", str(fleet), "--emit", "k8s", "-o", str(out)]) == 0
    objects = list(yaml.safe_load_all((out / "embeddings.yaml").read_text()))
    pod = pod_specs(next(o for o in objects if o["kind"] == "Deployment"))[0]
    assert "nvidia.com/mig-1g.10gb" in pod["containers"][0]["resources"]["limits"]
    assert pod["nodeSelector"]["nvidia.com/mig.config"] == "intentctl-nvidia-a100-sxm-80gb-x7"
    (mig,) = yaml.safe_load_all((out / "gpu-sharing.yaml").read_text())
    layout = yaml.safe_load(mig["data"]["config.yaml"])["mig-configs"]["intentctl-nvidia-a100-sxm-80gb-x7"]
    assert layout == [{"devices": "all", "mig-enabled": True, "mig-devices": {"1g.10gb": 7}}]


RUNTIME_PLANS = {
    "vllm": ["serve llama 3.1 70b on NVIDIA H100 SXM at 10 req/s", "chatbot on an AMD MI300X"],
    "llamacpp": ["serve llama 3.2 1b on a jetson orin nano", "serve qwen2.5 7b on an AMD EPYC, first token within 2 s, 8 tokens/s per user"],
    "triton": ["classify images in 10 ms on an NVIDIA L4", "classify images on a raspberry pi 5"],
    "trtllm": ["summarize articles with gpt-j 6b on an NVIDIA L4"],
    "ovms": ["detect objects on Intel CPUs"],
    "tgi": ["chatbot on Gaudi 2 in bf16"],  # an fp8 plan is refused (tgi-gaudi needs measured statistics)
}
REFERENCE = {"vllm": "vllm.yaml", "llamacpp": "llamacpp.yaml", "triton": "triton.yaml", "trtllm": "triton.yaml",
             "ovms": "ovms.yaml", "tgi": "tgi.yaml"}


def option_problems(args: list[str], reference: dict) -> list[str]:
    """Options the reference list does not have, and values outside the choices it gives."""
    problems = []
    for i, arg in enumerate(args):
        if not arg.startswith("-"):
            continue
        name, _, value = arg.partition("=")
        if name not in reference["options"]:
            problems.append(f"{name} is not a {reference['runtime']} {reference['version']} option")
            continue
        choices = reference["options"][name].get("values")
        if not value and i + 1 < len(args) and not args[i + 1].startswith("-"):
            value = args[i + 1]
        if choices and value not in choices:
            problems.append(f"{name} {value}: not one of {choices}")
    return problems


@pytest.mark.parametrize("kind", sorted(RUNTIME_PLANS))
def test_every_emitted_option_is_documented_at_the_pinned_version(kind, catalog):
    reference = yaml.safe_load((OPTIONS / REFERENCE[kind]).read_text())
    assert reference["source"].startswith("https://")
    for text in RUNTIME_PLANS[kind]:
        launch = server_launch(from_plan(plan(text, offline=True, record=False), catalog))
        assert launch.spec.kind == kind, text
        assert launch.spec.version == reference["version"] or kind == "trtllm"
        assert option_problems(launch.args, reference) == [], text
        if launch.prepare:
            build = yaml.safe_load((OPTIONS / "trtllm-build.yaml").read_text())
            assert option_problems(launch.prepare[1:], build) == []


def test_the_option_check_catches_an_undocumented_flag():
    reference = yaml.safe_load((OPTIONS / "vllm.yaml").read_text())
    assert option_problems(["--tensor-parallel-size", "2", "--max-batch-size", "8"], reference) == [
        "--max-batch-size is not a vLLM v0.11.0 option"]
    assert option_problems(["--kv-cache-dtype", "int8"], reference)


def test_tgi_on_gaudi_bounds_the_batch_by_tokens(catalog):
    """tgi-gaudi 2.0.6 bounds a batch by prefill and total tokens (its README); --max-batch-size is
    not a confirmed 2.0.6 option, so the planned batch is written as token budgets."""
    target = from_plan(plan("chatbot on Gaudi 2 in bf16", offline=True, record=False), catalog)
    args = server_launch(target).args
    assert "--max-batch-size" not in args
    total = target.prompt_tokens + target.output_tokens
    assert int(flag(args, "--max-batch-prefill-tokens")) == target.batch_size * target.prompt_tokens
    assert int(flag(args, "--max-batch-total-tokens")) == target.batch_size * total
    assert int(flag(args, "--max-batch-total-tokens")) >= int(flag(args, "--max-total-tokens"))


@pytest.mark.parametrize("device_id, image", [
    ("intel-xeon-platinum-8480plus", "openvino/model_server:2024.4"),  # CPU: the plain image
    ("intel-core-ultra-7-165h-npu", "openvino/model_server:2024.4-gpu"),  # NPU drivers ship in -gpu
    ("intel-gaudi2", None),  # the model server does not run on Gaudi
])
def test_openvino_model_server_image_carries_the_device_drivers(device_id, image, catalog):
    build = launches().launches["OpenVINO Model Server"].build_for(catalog.device(device_id))
    assert (build.image if build else None) == image


def test_every_launch_option_carries_its_documentation():
    for name, spec in launches().launches.items():
        for build in spec.builds:
            assert ":" in build.image and not build.image.endswith(":latest") and build.source, name
        for option in spec.options.values():
            assert option.docs.startswith("https://"), (name, option.flag)


def test_emit_kserve_writes_an_inferenceservice_with_its_servingruntime(tmp_path, catalog, llm_plan):
    assert main(["plan", "--offline", "--no-history", "--emit", "kserve", "-o", str(tmp_path),
                 "serve llama 3.1 70b on NVIDIA H100 SXM at 10 req/s"]) == 0
    (written,) = tmp_path.glob("*.yaml")
    objects = list(yaml.safe_load_all(written.read_text()))
    for obj in objects:
        validate(obj)
    assert kinds(objects) == ["ServingRuntime", "InferenceService", "ScaledObject"]
    runtime, isvc, scaler = objects
    assert isvc["spec"]["predictor"]["model"]["runtime"] == runtime["metadata"]["name"]
    assert runtime["spec"]["supportedModelFormats"][0]["name"] == isvc["spec"]["predictor"]["model"]["modelFormat"]["name"]
    container = runtime["spec"]["containers"][0]
    assert container["name"] == "kserve-container" and argv(container)[:2] == ["vllm", "serve"]
    c = llm_plan.choice  # the same request, planned in process
    assert container["resources"]["limits"]["nvidia.com/gpu"] == str(c.tensor_parallel * c.pipeline_parallel)
    assert scaler["spec"]["scaleTargetRef"]["name"] == isvc["metadata"]["name"] + "-predictor"


def test_the_crd_check_rejects_a_field_the_schema_lacks(llm_plan, catalog):
    from intent.export import kserve_manifests

    isvc = kserve_manifests(llm_plan, catalog)[1]
    isvc["spec"]["predictor"]["model"]["modelFormatt"] = {"name": "x"}
    with pytest.raises(AssertionError, match="modelFormatt"):
        validate(isvc)


def test_an_int4_plan_serves_its_checkpoint_with_the_16_bit_cache_its_memory_assumes(catalog):
    """W4A16 plans keep a 16-bit KV cache (perf-factors kv_bytes_per_element: int4 2), so the
    launch asks for no fp8 cache; int8 and fp8 plans keep their 8-bit one."""
    int4 = plan("llama 3.1 70b on one H100, int4, 30 concurrent users", offline=True, record=False)
    assert int4.choice.precision == "int4"
    args = argv(server(kubernetes_manifests(int4, catalog)))
    assert flag(args, "--quantization") == "compressed-tensors" and "--kv-cache-dtype" not in args
    # gpt-oss is released in MXFP4: served from its own checkpoint, which vLLM reads as it is
    released = plan("gpt-oss-120b on one H100, 30 concurrent users", offline=True, record=False)
    assert released.choice.precision == "int4"
    assert "--quantization" not in argv(server(kubernetes_manifests(released, catalog)))


def test_a_batch_of_one_still_takes_the_prompts_its_memory_holds(catalog):
    # at batch 1 --max-model-len had been 768 (512 + 256), with 250 GB of the four H100s free for KV cache
    result = plan("serve Llama 3.1 70B with tensor parallel across 4 H100 GPUs, TTFT under 500 ms", offline=True,
                  record=False)
    assert result.choice.batch_size == 1 and result.choice.tensor_parallel == 4
    args = argv(server(kubernetes_manifests(result, catalog)))
    context = catalog.models[result.choice.model_id].architecture.max_context
    assert int(flag(args, "--max-model-len")) == context  # 70B in int4 leaves room for its whole context
    small = plan("serve llama 3.1 8b on a single L4, 1 user at a time", offline=True, record=False)
    length = int(flag(argv(server(kubernetes_manifests(small, catalog))), "--max-model-len"))
    assert 768 < length <= catalog.models[small.choice.model_id].architecture.max_context
