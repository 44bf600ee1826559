"""KServe (--emit kserve): an InferenceService in raw deployment mode, with the ServingRuntime
that starts the planned server, as the alternative to plain Deployments. The runtime container
is the same launch (image, command, arguments) and the pod keeps the restricted profile and the
plan's device request; KEDA scales the predictor on the server's own metric."""

from __future__ import annotations

from intent.deploy.launch import server_launch
from intent.deploy.pods import nodes_for, placement, pod_memory_gi
from intent.deploy.target import Target
from intent.deploy.workloads import (
    DEFAULT_OPTIONS,
    EmitOptions,
    engine_build_container,
    labels_for,
    max_replicas,
    meta,
    scaled_object,
    server_container,
    server_pod,
    storage_objects,
)

ISVC_API = "serving.kserve.io/v1beta1"
RUNTIME_API = "serving.kserve.io/v1alpha1"
#: KServe names the predictor's Deployment <isvc>-predictor in raw deployment mode.
PREDICTOR_SUFFIX = "-predictor"
FORMATS = {"vllm": "huggingface", "tgi": "huggingface", "llamacpp": "gguf", "triton": "onnx", "trtllm": "tensorrt",
           "ovms": "openvino"}


def kserve_manifests(target: Target, options: EmitOptions = DEFAULT_OPTIONS) -> list[dict]:
    from intent.deploy.launch import ExportError

    if target.training is not None:
        raise ExportError("KServe serves models; a training plan is written as a PyTorchJob in the k8s format (export -f k8s, plan --emit k8s)")
    if target.roles is not None or nodes_for(target) > 1:
        raise ExportError("this plan needs several workloads (disaggregated roles or a replica across nodes): "
                          "write it in the k8s format (export -f k8s, plan --emit k8s: LeaderWorkerSet, one workload per role)")
    launch = server_launch(target)
    name = target.name
    labels = labels_for(name)
    place = placement(target, target.layout.devices_per_replica)
    server = server_container(target, launch, place, memory=pod_memory_gi(target, target.memory_gb, place.count))
    server["name"] = "kserve-container"
    # The runtime holds the volumes, the predictor the init containers: KServe merges both into the pod.
    pod = server_pod(target, launch, [server], place, name, shm=target.layout.devices_per_replica > 1,
                     init=engine_build_container(target, launch, place))
    model_format = FORMATS[launch.spec.kind]
    runtime = {"apiVersion": RUNTIME_API, "kind": "ServingRuntime", "metadata": meta(name, labels),
               "spec": {"supportedModelFormats": [{"name": model_format, "autoSelect": True}],
                        "containers": [server], "volumes": pod["volumes"],
                        **({"nodeSelector": pod["nodeSelector"]} if "nodeSelector" in pod else {}),
                        **({"tolerations": pod["tolerations"]} if "tolerations" in pod else {})}}
    predictor = {"minReplicas": target.replicas, "maxReplicas": max_replicas(target, target.replicas),
                 "automountServiceAccountToken": False, "securityContext": pod["securityContext"],
                 **({"initContainers": pod["initContainers"]} if pod.get("initContainers") else {}),
                 "model": {"modelFormat": {"name": model_format}, "runtime": name}}
    isvc = {"apiVersion": ISVC_API, "kind": "InferenceService",
            "metadata": meta(name, labels, annotations={"serving.kserve.io/deploymentMode": "RawDeployment",
                                                        "serving.kserve.io/autoscalerClass": "external"}),
            "spec": {"predictor": predictor}}
    predictor_ref = {"apiVersion": "apps/v1", "kind": "Deployment", "name": name + PREDICTOR_SUFFIX}
    scaler = scaled_object(target, launch, name + PREDICTOR_SUFFIX, labels, predictor_ref, target.replicas)
    return [*storage_objects(target, launch, name, labels), runtime, isvc, scaler]
