"""KServe (--emit kserve): an InferenceService in raw deployment mode, with the ServingRuntime
that starts the planned server, as the alternative to plain Deployments. The runtime container
is the same launch (image, command, arguments) and the pod keeps the restricted profile and the
plan's device request; KEDA scales the predictor on the server's own metric."""

from __future__ import annotations

from intent.deploy.launch import server_launch
from intent.deploy.pods import memory_gi, nodes_for, placement, pod_spec
from intent.deploy.target import Target
from intent.deploy.workloads import (
    DEFAULT_OPTIONS,
    EmitOptions,
    labels_for,
    meta,
    scaled_object,
    server_container,
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
        raise ExportError("KServe serves models; a training plan is emitted as a PyTorchJob (--emit k8s)")
    if target.roles is not None or nodes_for(target) > 1:
        raise ExportError("this plan needs several workloads (disaggregated roles or a replica across nodes): "
                          "emit it with --emit k8s (LeaderWorkerSet, one workload per role)")
    launch = server_launch(target)
    name = target.name
    labels = labels_for(name)
    place = placement(target, target.layout.devices_per_replica)
    server = server_container(target, launch, place, memory=memory_gi(target.memory_gb))
    server["name"] = "kserve-container"
    pod = pod_spec([server], target, place, shm=target.layout.devices_per_replica > 1, name=name,
                   models_claim=f"{name}-models" if launch.local_model else None)
    model_format = FORMATS[launch.spec.kind]
    runtime = {"apiVersion": RUNTIME_API, "kind": "ServingRuntime", "metadata": meta(name, labels),
               "spec": {"supportedModelFormats": [{"name": model_format, "autoSelect": True}],
                        "containers": [server], "volumes": pod["volumes"],
                        **({"nodeSelector": pod["nodeSelector"]} if "nodeSelector" in pod else {}),
                        **({"tolerations": pod["tolerations"]} if "tolerations" in pod else {})}}
    predictor = {"minReplicas": target.replicas, "maxReplicas": target.replicas * 2,
                 "automountServiceAccountToken": False, "securityContext": pod["securityContext"],
                 "model": {"modelFormat": {"name": model_format}, "runtime": name}}
    isvc = {"apiVersion": ISVC_API, "kind": "InferenceService",
            "metadata": meta(name, labels, annotations={"serving.kserve.io/deploymentMode": "RawDeployment",
                                                        "serving.kserve.io/autoscalerClass": "external"}),
            "spec": {"predictor": predictor}}
    predictor_ref = {"apiVersion": "apps/v1", "kind": "Deployment", "name": name + PREDICTOR_SUFFIX}
    scaler = scaled_object(target, launch, name + PREDICTOR_SUFFIX, labels, predictor_ref, target.replicas)
    return [*storage_objects(target, launch, name, labels), runtime, isvc, scaler]
