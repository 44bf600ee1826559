"""Where a pod's model comes from when its server (or training job) reads it from disk.

Each pod has its own model repository at /models (pods.models_volume: an emptyDir, or an
encrypted ephemeral claim), so replicas on different nodes all start; a shared ReadWriteOnce
claim would hold every replica but the first in ContainerCreating on other nodes. The
fetch-model init container fills it before the server starts (intent/deploy/fetch_model.py,
emitted as the ConfigMap <workload>-fetch): from the URL in its MODEL_SOURCE variable, which the
user sets, since intentctl knows no download of a model converted or quantised for the plan.
While MODEL_SOURCE is unset the init container stops the pod with what to put there.
"""

from __future__ import annotations

import math
from importlib import resources

from intent.deploy.config import k8s_settings, launches
from intent.deploy.pods import add_volume, helper_container, memory_gi
from intent.deploy.target import Target

FETCH_SCRIPT = "fetch_model.py"
FETCH_MOUNT = "/opt/intentctl"


def script_text(filename: str) -> str:
    """A script shipped in this package (fetch_model.py, train.py), as the ConfigMap holds it."""
    return resources.files("intent.deploy").joinpath(filename).read_text(encoding="utf-8")


def models_size_gi(target: Target) -> int:
    """Room for the model's files (and what is built from them, e.g. an engine), GiB."""
    weights = math.ceil(target.model.weights_mb.value / 1024 * 1.5) if target.model.weights_mb else 0
    return max(10, weights, memory_gi(target.memory_gb))


def fetch_config_map(name: str, labels: dict[str, str]) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{name}-fetch", "labels": dict(labels)},
            "data": {FETCH_SCRIPT: script_text(FETCH_SCRIPT)}}


def fetch_container(target: Target, model_file: str, model_format: str) -> dict:
    """The init container that fills /models with ``model_file`` from MODEL_SOURCE (empty: the user's to set)."""
    env = {"MODEL_SOURCE": "", "MODEL_PATH": model_file, "MODEL_ROOT": k8s_settings()["models_mount"],
           "MODEL_FORMAT": model_format}
    return helper_container("fetch-model", launches().helper.image, command=["python", f"{FETCH_MOUNT}/{FETCH_SCRIPT}"],
                            env=env, catalog_hash=target.catalog_hash)


def mount_fetch_script(pod: dict, name: str) -> None:
    """The script's ConfigMap, mounted in the fetch-model container only."""
    fetch = [c for c in pod.get("initContainers", []) if c["name"] == "fetch-model"]
    add_volume(pod, {"name": "fetch", "configMap": {"name": f"{name}-fetch"}}, FETCH_MOUNT, read_only=True,
               containers=fetch)
