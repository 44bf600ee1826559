"""A transformer's shape and size from its Hugging Face ``config.json``.

The packaged catalog's LLM entries (scripts/catalog_llms.yaml, through the catalog builder) and
``intentctl catalog import`` both go through here, so a model in the catalog and one a user
imports are described by the same rules.

What is read: layers, hidden size, attention and KV heads, head dim, MLP size, vocabulary,
context and, for mixture-of-experts models, the routed and shared experts and which layers are
dense (DeepSeek's leading dense layers, Llama 4's interleaved ones). Multi-head latent
attention (DeepSeek-V2/V3, Kimi K2) is read from its low-rank projections.

What is derived (each with its formula in :func:`count_parameters`):

* parameters: attention + MLP (or experts) per layer, times layers, plus the embedding and,
  unless tied, the output projection. Norms and biases are left out (well under 0.1%);
* parameters used per token: the same with only the routed experts a token goes to
  (``experts_per_token``) and the shared ones;
* FLOPs per generated token: 2 x the parameters used per token (one multiply and one add
  per weight); attention over the context is not counted.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from hardware.errors import CatalogError
from hardware.schema import Architecture, Basis, Figure

#: Model types whose MLP is gated (gate, up and down projections: 3 matrices), the usual
#: SwiGLU/GeGLU form; others have up and down only. ``hidden_act`` "silu" also means gated.
GATED_MLP_TYPES = {"llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2",
                   "gemma3_text", "phi3", "phimoe", "deepseek_v2", "deepseek_v3", "kimi_k2", "olmo2", "granite",
                   "cohere", "internlm2", "exaone", "glm4_moe", "minimax_m2", "gpt_oss", "llama4_text"}
#: Model types whose config leaves ``tie_word_embeddings`` out because their default ties them.
TIED_BY_DEFAULT = {"gemma", "gemma2", "gemma3_text"}
#: MoE model types with one shared expert (of the routed experts' size) in every MoE layer that
#: their config does not name: Llama 4's ``feed_forward.shared_expert``.
SHARED_EXPERT_BY_DEFAULT = {"llama4_text"}

_FIELDS = {  # our name: the config.json keys that carry it, in order of preference
    "layers": ("num_hidden_layers", "n_layer", "num_layers"),
    "hidden": ("hidden_size", "d_model", "n_embd"),
    "heads": ("num_attention_heads", "n_head"),
    "kv_heads": ("num_key_value_heads", "num_kv_heads", "n_head_kv"),
    "vocab": ("vocab_size",),
    "context": ("max_position_embeddings", "n_positions", "seq_length"),
    "experts": ("num_local_experts", "n_routed_experts", "num_experts"),
}


class ConfigError(CatalogError):
    """A config.json that cannot describe a model: unreadable, or missing or odd fields."""

    code = "config-invalid"
    hint = "give the config.json of a decoder-only transformer (as its Hugging Face repository publishes it)"


@dataclass(frozen=True)
class ParameterCount:
    """Parameters of a model as its config describes it, and how they were counted."""

    total: float
    active: float
    formula: str

    @property
    def is_moe(self) -> bool:
        return self.active < self.total


def read_config(path: str | Path) -> dict:
    """The config.json at ``path`` as a mapping; the text part of a multimodal config."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object with the model's configuration")
    return text_config(data)


def text_config(data: dict) -> dict:
    """A multimodal config keeps its language model under ``text_config``; use that."""
    inner = data.get("text_config")
    return {**data, **inner} if isinstance(inner, dict) else data


def _get(cfg: dict, name: str, required: bool = True):
    for key in _FIELDS[name]:
        if cfg.get(key) is not None:
            return _positive_int(cfg, key)
    if required:
        raise ConfigError(f"config has no {' / '.join(_FIELDS[name])}: cannot tell the model's {name.replace('_', ' ')}")
    return None


def _positive_int(cfg: dict, key: str) -> int:
    value = cfg[key]
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or value != int(value) or value <= 0):  # NaN and Infinity, which Python's JSON reads, included
        raise ConfigError(f"config field {key!r} is {value!r}; expected a positive whole number")
    return int(value)


def _optional(cfg: dict, key: str) -> int | None:
    return _positive_int(cfg, key) if cfg.get(key) is not None else None


@dataclass(frozen=True)
class _Shape:
    """The numbers the parameter count needs, read once."""

    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    intermediate: int | None      # dense MLP (dense models; the dense layers of an MoE model)
    expert_intermediate: int | None
    experts: int | None
    experts_per_token: int | None
    shared_experts: int
    shared_intermediate: int | None
    dense_layers: int             # layers with a dense MLP in an MoE model (leading or interleaved)
    gated: bool
    tied: bool
    kv_lora_rank: int | None
    q_lora_rank: int | None
    qk_rope_head_dim: int | None
    qk_nope_head_dim: int | None
    v_head_dim: int | None


def _shape(cfg: dict) -> _Shape:
    layers, hidden, heads = _get(cfg, "layers"), _get(cfg, "hidden"), _get(cfg, "heads")
    kv_heads = _get(cfg, "kv_heads", required=False) or heads
    if heads % kv_heads:
        raise ConfigError(f"config has {heads} attention heads and {kv_heads} KV heads; "
                          "the attention heads must be a multiple of the KV heads")
    experts = _get(cfg, "experts", required=False)
    per_token = _optional(cfg, "num_experts_per_tok") or _optional(cfg, "num_experts_per_token")
    if experts is not None and per_token is None:
        raise ConfigError(f"config has {experts} experts but no num_experts_per_tok: "
                          "cannot tell how many a token is routed to")
    if experts is None:
        per_token = None
    intermediate = _optional(cfg, "intermediate_size") or _optional(cfg, "ffn_dim") or _optional(cfg, "n_inner")
    expert_intermediate = _optional(cfg, "moe_intermediate_size") or (intermediate if experts else None)
    if intermediate is None and expert_intermediate is None:
        raise ConfigError("config has no intermediate_size (or moe_intermediate_size): cannot size the MLP")
    model_type = str(cfg.get("model_type", ""))
    # Llama 4: intermediate_size is the expert's, intermediate_size_mlp the dense layers'; every
    # interleave_moe_layer_step-th layer is an MoE layer, the others dense.
    intermediate = _optional(cfg, "intermediate_size_mlp") or intermediate
    step = _optional(cfg, "interleave_moe_layer_step") or 1
    dense_layers = min(_optional(cfg, "first_k_dense_replace") or 0, layers) or (layers - layers // step)
    implied_shared = int(experts is not None and model_type in SHARED_EXPERT_BY_DEFAULT)
    shared = _optional(cfg, "n_shared_experts") or implied_shared
    shared_intermediate = _optional(cfg, "shared_expert_intermediate_size")
    if shared_intermediate and not shared:
        shared = 1
    head_dim = _optional(cfg, "head_dim")
    nope, rope = _optional(cfg, "qk_nope_head_dim"), _optional(cfg, "qk_rope_head_dim")
    kv_lora = _optional(cfg, "kv_lora_rank")
    if head_dim is None and kv_lora and nope and rope:
        head_dim = nope + rope
    if head_dim is None:
        if hidden % heads:
            raise ConfigError(f"config has no head_dim and hidden_size {hidden} is not a multiple of "
                              f"num_attention_heads {heads}")
        head_dim = hidden // heads
    tied = cfg.get("tie_word_embeddings")
    return _Shape(
        layers=layers, hidden=hidden, heads=heads, kv_heads=kv_heads, head_dim=head_dim, vocab=_get(cfg, "vocab"),
        intermediate=intermediate, expert_intermediate=expert_intermediate, experts=experts,
        experts_per_token=per_token, shared_experts=shared, shared_intermediate=shared_intermediate,
        dense_layers=dense_layers,
        gated=model_type in GATED_MLP_TYPES or cfg.get("hidden_act") == "silu",
        tied=bool(tied) if tied is not None else model_type in TIED_BY_DEFAULT,
        kv_lora_rank=kv_lora, q_lora_rank=_optional(cfg, "q_lora_rank"), qk_rope_head_dim=rope,
        qk_nope_head_dim=nope, v_head_dim=_optional(cfg, "v_head_dim"))


def _attention(s: _Shape) -> tuple[int, str]:
    """Attention weights of one layer, and the rule."""
    if s.kv_lora_rank and s.qk_rope_head_dim and s.qk_nope_head_dim:
        qk, v = s.qk_nope_head_dim + s.qk_rope_head_dim, s.v_head_dim or s.qk_nope_head_dim
        q = s.hidden * s.q_lora_rank + s.q_lora_rank * s.heads * qk if s.q_lora_rank else s.hidden * s.heads * qk
        kv = s.hidden * (s.kv_lora_rank + s.qk_rope_head_dim) + s.kv_lora_rank * s.heads * (s.qk_nope_head_dim + v)
        return q + kv + s.heads * v * s.hidden, "latent attention (q, kv down/up projections, o)"
    q_and_o = 2 * s.hidden * s.heads * s.head_dim
    return q_and_o + 2 * s.hidden * s.kv_heads * s.head_dim, "2 x d x heads x head_dim + 2 x d x kv_heads x head_dim"


def count_parameters(cfg: dict) -> ParameterCount:
    """Total parameters and parameters used per token, from a config mapping.

    Per layer: attention (see ``_attention``) plus an MLP of ``m x d x intermediate`` weights,
    m = 3 for a gated MLP and 2 otherwise. An MoE layer holds ``experts`` such MLPs of the
    expert size, the shared experts and a ``d x experts`` router; a token uses
    ``experts_per_token`` of them plus the shared ones. Embedding ``vocab x d``, counted
    twice unless the output projection is tied to it.
    """
    s = _shape(cfg)
    attention, attention_rule = _attention(s)
    m = 3 if s.gated else 2
    embed = s.vocab * s.hidden * (1 if s.tied else 2)
    if s.experts is None:
        layer = attention + m * s.hidden * s.intermediate
        total = s.layers * layer + embed
        rule = (f"{s.layers} layers x ({attention_rule} + {m} x d x {s.intermediate}) + "
                f"{'' if s.tied else '2 x '}{s.vocab} x d embeddings (d = {s.hidden})")
        return ParameterCount(float(total), float(total), rule)
    expert = m * s.hidden * s.expert_intermediate
    shared = m * s.hidden * (s.shared_intermediate or s.shared_experts * s.expert_intermediate)
    router = s.hidden * s.experts
    moe_layers = s.layers - s.dense_layers
    dense_mlp = m * s.hidden * (s.intermediate or s.expert_intermediate)
    common = s.layers * attention + s.dense_layers * dense_mlp + moe_layers * (shared + router) + embed
    total = common + moe_layers * s.experts * expert
    active = common + moe_layers * s.experts_per_token * expert
    rule = (f"{s.layers} layers x attention ({attention_rule}) + {moe_layers} MoE layers x "
            f"({s.experts} experts, {s.experts_per_token} per token, of {m} x d x {s.expert_intermediate}"
            f"{f' + {s.shared_experts} shared' if s.shared_experts else ''} + router)"
            f"{f' + {s.dense_layers} dense layers x {m} x d x {s.intermediate}' if s.dense_layers else ''}"
            f" + {'' if s.tied else '2 x '}{s.vocab} x d embeddings (d = {s.hidden})")
    return ParameterCount(float(total), float(active), rule)


def architecture(cfg: dict, source: str) -> Architecture:
    """The catalog's :class:`Architecture` for a config mapping; ``source`` says where it is published."""
    s = _shape(cfg)
    count = count_parameters(cfg)
    active = None
    if s.experts is not None:
        active = Figure(value=round(count.active / 1e6, 1), basis=Basis.DERIVED,
                        formula=f"parameters a token uses: {count.formula}")
    return Architecture(
        layers=s.layers, hidden_size=s.hidden, attention_heads=s.heads, kv_heads=s.kv_heads, head_dim=s.head_dim,
        intermediate_size=s.expert_intermediate if s.experts else s.intermediate, vocab_size=s.vocab,
        max_context=_get(cfg, "context", required=False), experts=s.experts, experts_per_token=s.experts_per_token,
        active_params_m=active, kv_lora_rank=s.kv_lora_rank, qk_rope_head_dim=s.qk_rope_head_dim, source=source)


def params_figure(count: ParameterCount) -> Figure:
    """Total parameters in millions, derived from the config."""
    return Figure(value=round(count.total / 1e6, 1), basis=Basis.DERIVED, formula=count.formula)


def gflops_figure(active_params_m: float, what: str) -> Figure:
    """GFLOPs per generated token: 2 x the parameters a token uses."""
    return Figure(value=round(2 * active_params_m / 1000, 3), basis=Basis.DERIVED,
                  formula=f"2 x {active_params_m:g}M {what} per generated token")
