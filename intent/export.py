"""Deployable artifacts for a plan, written as files.

``k8s``: the objects of intent.deploy.workloads (a Deployment, Service and KEDA ScaledObject; a
LeaderWorkerSet for a replica across nodes; one workload per role for disaggregated plans; a
PyTorchJob for training), with the runtime's real launch from intent/data/launches.yaml.
``kserve``: an InferenceService with its ServingRuntime. ``triton``: the model repository's
config.pbtxt. YAML is written plain: no anchors or aliases, one object per document.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from hardware import Catalog
from intent.deploy.launch import ExportError
from intent.deploy.workloads import DEFAULT_OPTIONS, EmitOptions
from planner.plan import ExecutionPlan

__all__ = [
    "EmitOptions",
    "ExportError",
    "dump_yaml",
    "kserve_manifests",
    "kubernetes_manifests",
    "triton_config",
    "write",
    "write_fleet",
]
KINDS = ("k8s", "kserve", "triton")


def kubernetes_manifests(plan: ExecutionPlan, catalog: Catalog, options: EmitOptions = DEFAULT_OPTIONS) -> list[dict]:
    from intent.deploy.target import from_plan
    from intent.deploy.workloads import manifests

    return manifests(from_plan(plan, catalog), options, catalog)


def kserve_manifests(plan: ExecutionPlan, catalog: Catalog, options: EmitOptions = DEFAULT_OPTIONS) -> list[dict]:
    from intent.deploy.kserve import kserve_manifests as build
    from intent.deploy.target import from_plan

    return build(from_plan(plan, catalog), options)


def triton_config(plan: ExecutionPlan, catalog: Catalog) -> str:
    """config.pbtxt of a plan served by Triton (TensorRT, ONNX Runtime, or the TensorRT-LLM backend)."""
    return next(iter(triton_repository(plan, catalog).values()))


def triton_repository(plan: ExecutionPlan, catalog: Catalog) -> dict[str, str]:
    """The files of a Triton plan's model repository (path in it -> text): config.pbtxt in a directory
    named as the model is, as Triton requires ("bge-small-en-v1_5", "tensorrt_llm")."""
    from intent.deploy.launch import server_launch
    from intent.deploy.target import from_plan

    target = from_plan(plan, catalog)
    if not target.serving.startswith("Triton Inference Server"):
        from intent.deploy.launch import has_server_image

        then = ": write the k8s format (export -f k8s, plan --emit k8s) for its launch" if has_server_image(target) \
            else ", and its server has no image to deploy, so no format writes it"  # the k8s hint had refused too
        raise ExportError(f"{plan.choice.model_id} on {plan.choice.device_id} is served by {target.serving}, "
                          f"not Triton{then}")
    files = server_launch(target).files
    return {f"{PurePosixPath(path).parent.name}/{PurePosixPath(path).name}": text for path, text in files.items()}


def dump_yaml(objects: list[dict]) -> str:
    """Plain YAML: every object its own document, no anchors or aliases, keys in the order built."""
    import yaml

    class PlainDumper(yaml.SafeDumper):
        def ignore_aliases(self, data) -> bool:
            return True

    return yaml.dump_all(objects, Dumper=PlainDumper, sort_keys=False, width=120)


def write(plan: ExecutionPlan, catalog: Catalog, kind: str, directory: str | Path,
          options: EmitOptions = DEFAULT_OPTIONS) -> list[Path]:
    """Write the artifacts of ``kind`` (k8s, kserve or triton) into ``directory``; returns the files."""
    from intent.deploy.target import from_plan

    if kind not in KINDS:
        raise ExportError(f"unknown export format {kind!r} ({', '.join(KINDS)}; in chat also json, the plan itself)")
    out = Path(directory)
    name = from_plan(plan, catalog).name
    if kind == "triton":  # its directory named as config.pbtxt names the model (it had been the catalog id)
        return [_written(out / path, text) for path, text in triton_repository(plan, catalog).items()]
    objects = kubernetes_manifests(plan, catalog, options) if kind == "k8s" else kserve_manifests(plan, catalog, options)
    # a name of each format's own: the KServe manifests had overwritten the plain ones written to the same folder
    return [_written(out / (f"{name}.yaml" if kind == "k8s" else f"{name}.kserve.yaml"), dump_yaml(objects))]


def write_fleet(plan, fleet, workloads, catalog: Catalog, directory: str | Path,
                options: EmitOptions = DEFAULT_OPTIONS) -> list[Path]:
    """Write every placement of a fleet plan, and the GPU sharing configuration, into ``directory``."""
    from intent.deploy.fleet import fleet_manifests

    files = fleet_manifests(plan, fleet, workloads, catalog, options)
    out = Path(directory)
    return [_written(out / filename, dump_yaml(objects)) for filename, objects in files.items()]


def _written(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, making its directory; a directory that cannot be made or
    written to is an ExportError that says which and why (not a bare OS error)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        where = next((p for p in (path.parent, *path.parent.parents) if p.exists()), path.parent)
        why = "it is a file, not a directory" if where.is_file() else (exc.strerror or str(exc)).lower()
        error = ExportError(f"cannot write {path}: {why} ({where})")
        error.hint = "give --output (-o) a directory you can write to; it is made when missing"
        raise error from exc
    return path
