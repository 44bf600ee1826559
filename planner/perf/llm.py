"""Text generation: prefill, decode and the KV cache, from the model's architecture.

A request of P prompt tokens and O output tokens is one prefill (all P tokens in one pass,
compute-bound) and O decode steps. Each decode step reads every weight once for the whole
batch (for a mixture of experts: the shared weights and the experts the batch's tokens are
routed to) and each sequence's KV cache, so decode is usually bound by memory bandwidth.
A token's KV entry is ``layers x kv_heads x head_dim x 2`` elements (K and V), which
grouped-query attention keeps several times smaller than ``layers x d_model x 2``; with
multi-head latent attention (DeepSeek-V3, R1) it is ``layers x (kv_lora_rank + qk_rope_head_dim)``,
the compressed latent the serving runtimes (vLLM, SGLang) cache, 576 values a layer where
the heads would hold 49,152 (``Architecture.kv_elements_per_token``).

Models without an ``architecture`` follow a documented rule (perf-factors.yaml,
``d_model_per_layer``): d_model ~ (128 x params / 12)^(1/3), layers = d_model / 128, and no
grouped-query attention.
"""

from __future__ import annotations

import numpy as np

from hardware import ModelVariant
from planner.perf.factors import PerfFactors


def shape(model: ModelVariant, f: PerfFactors) -> dict[str, float]:
    """The transformer's figures the model needs: layers, d_model, the attention width, KV
    elements per token, and for a mixture of experts the expert count, experts per token and
    parameters of one expert (0 for a dense model)."""
    params = model.params_m.value * 1e6 if model.params_m else np.nan
    a = model.architecture
    if a is None:
        d_model = (f.d_model_per_layer * params / 12) ** (1 / 3)
        layers = d_model / f.d_model_per_layer
        return {"layers": layers, "d_model": d_model, "attn_dim": d_model, "kv_elems": 2 * layers * d_model,
                "active": params, "experts": 0.0, "topk": 0.0, "expert_params": 0.0}
    active = a.active_params_m.value * 1e6 if a.active_params_m else params
    experts, topk = float(a.experts or 0), float(a.experts_per_token or 0)
    expert_params = (params - active) / (experts - topk) if experts > topk > 0 else 0.0
    return {"layers": float(a.layers), "d_model": float(a.hidden_size),
            "attn_dim": float(a.attention_heads * a.head_dim),
            "kv_elems": float(a.kv_elements_per_token), "active": active,
            "experts": experts, "topk": topk, "expert_params": expert_params}


def kv_gb(c: dict[str, np.ndarray], b: np.ndarray) -> np.ndarray:
    """KV cache of a batch holding whole requests (prompt + output tokens each, for every beam), GB."""
    return b * c["beams"] * (c["prompt"] + c["output"]) * c["kv_elems"] * c["kv_bpe"] / 1e9


def weights_read(c: dict[str, np.ndarray], b: np.ndarray) -> np.ndarray:
    """Weight bytes one decode step reads for a batch of ``b``: all of a dense model; for a
    mixture of experts, the shared weights and the distinct experts the batch's tokens use
    (E x (1 - (1 - k/E)^b) of them when routing is uniform)."""
    total = c["params"] * c["bpp"]
    experts, topk = c["experts"], c["topk"]
    safe = np.where(experts > 0, experts, 1.0)
    touched = np.where(experts > 0, safe * (1 - (1 - topk / safe) ** b), 0.0)
    untouched = np.maximum(experts - touched, 0.0) * c["expert_params"] * c["bpp"]
    return total - untouched


def _attention_flops(c: dict[str, np.ndarray], context) -> np.ndarray:
    """Attention FLOPs per token at a context length: Q x K and scores x V, 2 x 2 x width x context per layer."""
    return 4 * c["layers"] * c["attn_dim"] * context


def autoregressive(c: dict[str, np.ndarray], b: np.ndarray, memory_time) -> tuple[np.ndarray, ...]:
    """A batch of ``b`` requests: one prefill over every prompt, then one decode step per output
    token. Returns (seconds, compute seconds, memory seconds, TTFT ms, TPOT ms).

    With beam search each request decodes (and caches) ``beams`` sequences after one prefill.
    Sharded (tensor parallel), each token all-reduces 4 x layers x d_model activations of
    2 bytes per sequence over the devices' link, and each step (and the prefill) waits the link's
    fixed all-reduce time twice a layer. TPOT is the mean decode step (at the context of the
    middle output token); TTFT is the prefill and the first step."""
    prompt, output, shards = c["prompt"], c["output"], c["shards"]
    token_flops = 2 * c["active"]
    comm_bytes = 4 * c["layers"] * c["d_model"] * 2 * (shards - 1) / shards
    link = np.where(np.isnan(c["link"]), 1.0, c["link"])
    transfer = np.where(shards > 1, b * comm_bytes / link, 0.0)  # a token's activations over the link
    waits = 2 * c["layers"] * np.nan_to_num(c["all_reduce_s"])  # 0 where unsharded (columns_of)
    weights = c["params"] * c["bpp"]
    prefill_compute = b * prompt * (token_flops + _attention_flops(c, prompt / 2)) / c["prefill_peak"]
    prefill = np.maximum(prefill_compute, memory_time(c, weights)) + prompt * transfer + waits + c["overhead"]

    sequences = b * c["beams"]  # beam search decodes every beam

    def step(context):
        compute = sequences * (token_flops + _attention_flops(c, context)) / c["peak"]
        memory = memory_time(c, weights_read(c, sequences) + sequences * context * c["kv_elems"] * c["kv_bpe"])
        return np.maximum(compute, memory) + transfer + waits + c["overhead"], compute, memory

    first, _, _ = step(prompt)
    mean, compute, memory = step(prompt + output / 2)
    ttft = prefill + first
    seconds = ttft + (output - 1) * mean
    return (seconds, prefill_compute + output * compute, output * memory, ttft * 1000, mean * 1000)
