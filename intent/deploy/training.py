"""A training or fine-tuning plan as a Kubeflow PyTorchJob, queued by Kueue.

torchrun runs intent/deploy/train.py, a generic fine-tuning loop, emitted with the job as the
ConfigMap <job>-train (mounted at /workspace). Before it, init containers install the Python
packages the PyTorch images lack (transformers, under PYTHONUSERBASE on a shared volume) and,
for a model without a Hugging Face id, fetch it into /models (storage.py). The data set is the
user's: the TRAIN_DATA variable, left empty, makes the job stop at once saying what to set.
Every pod gets /dev/shm in memory for its data loader workers.
"""

from __future__ import annotations

import math
from dataclasses import replace

from intent.deploy.config import k8s_settings, launches
from intent.deploy.launch import ExportError, training_build
from intent.deploy.pods import (
    CLAIM,
    add_volume,
    container,
    helper_container,
    memory_gi,
    per_node_devices,
    placement,
    pod_memory_gi,
    pod_spec,
)
from intent.deploy.storage import (
    fetch_config_map,
    fetch_container,
    models_size_gi,
    mount_fetch_script,
    script_text,
)
from intent.deploy.target import Target
from intent.deploy.workloads import EmitOptions, labels_for, meta, pod_labels

KUBEFLOW_API = "kubeflow.org/v1"
QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
TRAIN_SCRIPT = "train.py"
WORKSPACE = "/workspace"
#: pip --user installs under PYTHONUSERBASE, keeping the packages the image already has
PACKAGES_DIR = "/packages"


def model_class(target: Target) -> str:
    """The transformers class that loads the model with a loss for its task (launches.yaml training)."""
    training = launches().training
    name = training.family_model_classes.get(target.model.family) or training.model_classes.get(target.model.task)
    if name is None:
        raise ExportError(f"the generic training script loads models through transformers; it has no class for "
                          f"{target.model.task} ({target.model.id}, a {target.model.family} model): known tasks "
                          f"{', '.join(sorted(training.model_classes))}. Run this job with your own training image")
    return name


def training_job(target: Target, options: EmitOptions) -> list[dict]:
    """A PyTorchJob (torchrun on every node, the devices split over nodes) with the ConfigMaps it mounts."""
    spec = target.training
    if spec.method != "full":
        raise ExportError(f"the plan fine-tunes with {spec.method.upper()}, and the exported training script "
                          f"(intent/deploy/train.py) runs a full fine-tune, whose state would not fit the devices "
                          f"planned; run the plan's steps with PEFT yourself, or plan a full fine-tune to export it")
    build = training_build(target)
    name = target.name
    labels = labels_for(name)
    per_node = min(spec.devices, per_node_devices(target.device)) if target.device.device_class != "cpu" else 1
    nodes = max(1, math.ceil(spec.devices / per_node))
    place = placement(target, per_node, dra=options.dra, claim_template=f"{name}-{CLAIM}")
    if target.device.device_class == "cpu":
        place = replace(place, resource=None)
    pod = training_pod(target, build, place, name, per_node)
    template = {"metadata": {"labels": pod_labels(target, labels)}, "spec": pod}
    replica_specs = {"Master": {"replicas": 1, "restartPolicy": "OnFailure", "template": template}}
    if nodes > 1:
        replica_specs["Worker"] = {"replicas": nodes - 1, "restartPolicy": "OnFailure", "template": template}
    queue = options.queue or k8s_settings()["default_queue"]
    job = {"apiVersion": KUBEFLOW_API, "kind": "PyTorchJob",
           "metadata": meta(name, {**labels, QUEUE_LABEL: queue}),
           "spec": {"nprocPerNode": str(per_node), "pytorchReplicaSpecs": replica_specs,
                    "runPolicy": {"backoffLimit": 2}}}
    objects = [*config_maps(target, name, labels), job]
    if options.dra:
        from intent.deploy.dra import claim_template

        objects.insert(0, claim_template(target, name, labels, per_node))
    return objects


def config_maps(target: Target, name: str, labels: dict[str, str]) -> list[dict]:
    """The training script, and the fetch-model script of a model without a Hugging Face id."""
    script = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(f"{name}-train", labels),
              "data": {TRAIN_SCRIPT: script_text(TRAIN_SCRIPT)}}
    return [script] + ([] if target.model.hf_repo else [fetch_config_map(name, labels)])


def model_location(target: Target) -> str:
    return target.model.hf_repo or f"{k8s_settings()['models_mount']}/{target.model.id}"


def training_pod(target: Target, build, place, name: str, per_node: int) -> dict:
    """torchrun after its init containers, with the script, the packages, the model and /dev/shm."""
    training = launches().training
    spec = target.training
    args = [f"{WORKSPACE}/{TRAIN_SCRIPT}", f"--model={model_location(target)}", f"--model-class={model_class(target)}",
            f"--precision={target.precision}",
            f"--per-device-batch-size={max(1, spec.batch_size // max(1, spec.devices))}", f"--epochs={spec.epochs}",
            *(["--shard"] if spec.sharded else [])]  # the plan's memory holds only with the state sharded
    env = {"PYTHONUSERBASE": PACKAGES_DIR, "TRAIN_DATA": "", "HF_TOKEN_PATH": "/etc/hf/token"}
    memory = pod_memory_gi(target, target.memory_gb, place.count, wanted=memory_gi(target.memory_gb * 2))
    c = container("pytorch", build.image, command=build.command or training.command, args=args, env=env,
                  memory=memory, place=place, catalog_hash=target.catalog_hash)
    install = helper_container("install-packages", build.image,
                               command=["python", "-m", "pip", "install", "--user", "--no-cache-dir",
                                        *training.packages],
                               env={"PYTHONUSERBASE": PACKAGES_DIR}, catalog_hash=target.catalog_hash)
    init = [install]
    if not target.model.hf_repo:
        init.insert(0, fetch_container(target, model_location(target), training.model_format))
    pod = pod_spec([c], target, place, shm=True, name=name, init=init,
                   models_gi=None if target.model.hf_repo else models_size_gi(target))
    if not target.model.hf_repo:
        mount_fetch_script(pod, name)
    add_volume(pod, {"name": "train", "configMap": {"name": f"{name}-train"}}, WORKSPACE, read_only=True,
               containers=[c])
    add_volume(pod, {"name": "packages", "emptyDir": {}}, PACKAGES_DIR, containers=[c, install])
    add_volume(pod, {"name": "hf-token", "secret": {"secretName": "hf-token", "optional": True}}, "/etc/hf",
               read_only=True, containers=[c])
    return pod
