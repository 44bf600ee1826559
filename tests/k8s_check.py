"""Offline checks of emitted Kubernetes objects.

Core objects validate with kubernetes-validate in strict mode. Custom resources validate with
jsonschema against the CRD's published OpenAPI schema, copied into tests/data/crds/ (each
file names its source and version); pod templates inside them resolve to the same Kubernetes
version's strict PodSpec. Like `kubectl apply` with strict field validation, a field the
schema does not declare is an error.
"""

from __future__ import annotations

import copy
import json
import shlex
from functools import cache
from importlib import resources

import jsonschema
import kubernetes_validate
from paths import DATA
from referencing import Registry, Resource

CRD_DIR = DATA / "crds"
DEFAULT_VERSION = "1.30.0"


@cache
def crd_schemas() -> dict[tuple[str, str], dict]:
    out = {}
    for path in sorted(CRD_DIR.glob("*.json")):
        data = json.loads(path.read_text())
        assert data["source"].startswith("https://") and data["version"], path
        out[(data["apiVersion"], data["kind"])] = data
    return out


@cache
def _definitions(version: str) -> dict:
    root = resources.files("kubernetes_validate") / "kubernetes-json-schema" / f"v{version}-local-strict"
    return json.loads((root / "_definitions.json").read_text())


def _walk(schema, visit) -> None:
    """Call ``visit`` on every object schema inside ``schema``."""
    if isinstance(schema, dict):
        visit(schema)
        for value in list(schema.values()):
            _walk(value, visit)
    elif isinstance(schema, list):
        for value in schema:
            _walk(value, visit)


def _merged(schema, definitions: dict):
    """Resolve ``x-intentctl-merge``: a CRD that inlines a core type (KServe's predictor is a PodSpec
    with component fields) lists that type's properties beside its own, without its required list.
    References inside the copied type point back into the Kubernetes definitions."""
    def merge(node: dict) -> None:
        name = node.pop("x-intentctl-merge", None)
        if name is not None:
            base = copy.deepcopy(definitions["$defs"][name]["properties"])
            _walk(base, _rebase)
            node["properties"] = {**base, **node["properties"]}

    _walk(schema, merge)
    return schema


def _rebase(node: dict) -> None:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        node["$ref"] = "/api/_definitions.json" + ref


def _closed(schema):
    """Every object schema that lists its properties admits no others (strict field validation)."""
    def close(node: dict) -> None:
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False

    _walk(schema, close)
    return schema


@cache
def _validator(api_version: str, kind: str, version: str):
    definitions = _definitions(version)
    schema = _closed(_merged(copy.deepcopy(crd_schemas()[(api_version, kind)]["schema"]), definitions))
    resource = Resource.from_contents(definitions)
    registry = Registry().with_resource("https://kubernetes.io/api/_definitions.json", resource)
    schema = {**schema, "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://kubernetes.io/crd"}
    return jsonschema.Draft202012Validator(schema, registry=registry)


def validate(obj: dict, version: str = DEFAULT_VERSION) -> None:
    """Raise when ``obj`` is not valid: a custom resource against its CRD, a core object with kubernetes-validate."""
    key = (obj["apiVersion"], obj["kind"])
    if key in crd_schemas():
        errors = sorted(_validator(*key, version).iter_errors(obj), key=lambda e: list(e.path))
        if errors:
            raise AssertionError(f"{obj['kind']} {obj['metadata']['name']}: " + "; ".join(
                f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in errors[:5]))
        return
    assert "." not in obj["apiVersion"].split("/")[0] or obj["apiVersion"].split("/")[0].endswith("k8s.io"), \
        f"no schema for custom resource {key}: copy its CRD into tests/data/crds/"
    kubernetes_validate.validate(obj, version, strict=True)


def pod_specs(obj: dict) -> list[dict]:
    """Every pod spec an object holds (Deployments, LeaderWorkerSets, PyTorchJobs, KServe)."""
    spec = obj.get("spec", {})
    if "template" in spec:
        return [spec["template"]["spec"]]
    if "leaderWorkerTemplate" in spec:
        t = spec["leaderWorkerTemplate"]
        return [t["leaderTemplate"]["spec"], t["workerTemplate"]["spec"]]
    if "pytorchReplicaSpecs" in spec:
        return [r["template"]["spec"] for r in spec["pytorchReplicaSpecs"].values()]
    return []


def containers(obj: dict) -> list[dict]:
    return [c for pod in pod_specs(obj) for c in pod["containers"] + pod.get("initContainers", [])]


def argv(container: dict) -> list[str]:
    """The command line a container runs; a shell script's last command (`exec ...`) when it runs one."""
    words = container.get("command", []) + container.get("args", [])
    if words[:2] in (["/bin/sh", "-c"], ["sh", "-c"]):
        script = words[2]
        return shlex.split(script.rsplit("exec ", 1)[1]) if "exec " in script else shlex.split(script)
    return words
