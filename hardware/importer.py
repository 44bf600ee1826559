"""Add a model to a user's catalog directory from its Hugging Face config.json.

``intentctl catalog import CONFIG.json [--name ID] --catalog DIR`` calls :func:`import_config`:
the config is read locally (nothing is downloaded), the model's architecture, parameters and
FLOPs per token are derived by :mod:`hardware.hfconfig` (the rules the packaged LLMs are built
with) and the entry is written to ``DIR/models.yaml``, which ``--catalog DIR`` then loads and
``intentctl catalog validate DIR`` checks. An entry with the same id is replaced.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from hardware.catalog import MODEL_FILE, load_catalog, name_owners
from hardware.errors import CatalogError
from hardware.hfconfig import (
    ConfigError,
    architecture,
    count_parameters,
    gflops_figure,
    params_figure,
    read_config,
)
from hardware.schema import ModelFile, ModelKind, ModelVariant

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.+-]*$")
_REPO = re.compile(r"^[\w.-]+/[\w.-]+$")
HEADER = ("# Models added by `intentctl catalog import` from their config.json (figures derived as each entry's\n"
          "# formulas say). Load with --catalog DIR; check with: intentctl catalog validate DIR\n")


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote, and what it derived rather than read."""

    model: ModelVariant
    path: Path
    derived: list[str] = field(default_factory=list)
    replaced: bool = False            # an entry with this id was already in the file
    overrides_packaged: bool = False  # the id is also a packaged model's, which this one now overrides


def model_id_for(cfg: dict, config_path: Path, name: str | None) -> str:
    """The catalog id: ``name`` if given, else the repository name the config records."""
    if name is None:
        origin = str(cfg.get("_name_or_path") or "")
        stem = origin.rsplit("/", 1)[-1] if origin else ("" if config_path.stem == "config" else config_path.stem)
        name = re.sub(r"[^a-z0-9.+-]+", "-", stem.lower()).strip("-.")
        if not name:
            raise ConfigError(f"{config_path}: the config does not say which model it is; name it with --name ID")
    if not ID_PATTERN.match(name):
        raise ConfigError(f"model id {name!r} is not lowercase kebab-case (letters, digits, '.', '+', '-'); "
                          "give another with --name ID")
    return name


def model_from_config(cfg: dict, model_id: str, source: str) -> tuple[ModelVariant, list[str]]:
    """A text-generation catalog entry for the config, and a line per derived figure."""
    arch = architecture(cfg, source)
    count = count_parameters(cfg)
    params = params_figure(count)
    active = arch.active_params_m.value if arch.active_params_m else params.value
    what = "parameters used" if arch.experts else "parameters"
    gflops = gflops_figure(active, what)
    origin = str(cfg.get("_name_or_path") or "")
    repo = origin if _REPO.match(origin) else None
    model = ModelVariant(
        id=model_id, task="text-generation", family=str(cfg.get("model_type") or "unknown").split("_")[0],
        kind=ModelKind.AUTOREGRESSIVE, params_m=params, gflops=gflops,
        input=f"{arch.max_context // 1024}k context; per generated token" if arch.max_context else None,
        architecture=arch, hf_repo=repo, aliases=_aliases(model_id, repo), source=source,
        notes="imported from its config.json: parameters and FLOPs are derived; the config publishes no accuracy")
    derived = [f"parameters: {params.value / 1000:,.2f}B = {params.formula}"]
    if arch.active_params_m is not None:
        derived.append(f"parameters per token: {active / 1000:,.2f}B (the routed experts a token uses)")
    derived.append(f"FLOPs per generated token: {gflops.value:,.1f} GFLOPs = {gflops.formula}")
    if "head_dim" not in cfg and not arch.kv_lora_rank:
        derived.append(f"head dim: {arch.head_dim} = hidden_size / num_attention_heads")
    return model, derived


#: Words of a release's name that say it is the instruction-tuned one, which ids name anyway (README).
RELEASE_WORDS = re.compile(r"-(?:instruct|chat|it|hf)(?=-|$)")


def _aliases(model_id: str, repo: str | None) -> list[str]:
    """The repository's name, and the id without its release words ("zorro-13b-instruct" is also
    "zorro-13b", so "Zorro 13B" names it, as the packaged ids name the instruction-tuned release)."""
    names = [repo.rsplit("/", 1)[-1]] if repo else []
    plain = RELEASE_WORDS.sub("", model_id)
    return names + ([plain] if plain != model_id and plain.lower() not in {n.lower() for n in names} else [])


def _existing(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    from hardware.yamlio import YAMLError, load_yaml

    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
        ModelFile.model_validate(data)
    except (YAMLError, ValueError) as exc:
        raise CatalogError(f"{path}: not a valid models file, so the model is not added to it "
                           f"(check it with: intentctl catalog validate {path.parent})") from exc
    return list(data["models"])


def _own_aliases(model: ModelVariant, entries: list[dict]) -> ModelVariant:
    """The model without the aliases another entry has as a name (imported as 'phi-x', the config's
    repository name 'phi-4' is the packaged model's id): a name names one entry."""
    taken = {name for name, owner in name_owners(load_catalog()).items() if owner != ("model", model.id)}
    taken |= {str(name).lower() for e in entries if e.get("id") != model.id
              for name in (e.get("id"), *e.get("aliases", []))}
    return model.model_copy(update={"aliases": [a for a in model.aliases if a.lower() not in taken]})


@contextmanager
def _in_file(config: Path):
    """A config field's error names the file it is in."""
    try:
        yield
    except ConfigError as exc:
        raise ConfigError(f"{config}: {exc}") from exc


def import_config(config: str | Path, directory: str | Path, name: str | None = None) -> ImportResult:
    """Read ``config``, derive the model's entry and write it into ``directory/models.yaml``."""
    import yaml

    config, directory = Path(config), Path(directory)
    cfg = read_config(config)
    with _in_file(config):
        count_parameters(cfg)  # a config that cannot describe a model is reported before its name is asked for
    model_id = model_id_for(cfg, config, name)
    with _in_file(config):
        model, derived = model_from_config(cfg, model_id, f"config.json imported from {config}")
    if directory.exists() and not directory.is_dir():
        raise CatalogError(f"{directory}: not a directory (give the catalog directory to write models.yaml into)")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MODEL_FILE
    entries = _existing(path)
    replaced = any(e.get("id") == model_id for e in entries)
    model = _own_aliases(model, entries)
    entries = [e for e in entries if e.get("id") != model_id] + [model.model_dump(mode="json", exclude_none=True,
                                                                                   exclude_defaults=True)]
    text = HEADER + yaml.safe_dump({"schema_version": 1, "models": entries}, sort_keys=False, allow_unicode=True,
                                   width=120)
    path.write_text(text, encoding="utf-8")
    return ImportResult(model, path, derived, replaced, model_id in load_catalog().models)
