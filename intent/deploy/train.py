"""Generic fine-tuning for a training plan: intentctl's PyTorchJob runs this file (from the
ConfigMap <job>-train, at /workspace/train.py) with torchrun in a PyTorch image.

Model: --model, a Hugging Face repository id, or a directory in Hugging Face format (the job's
fetch-model init container fills /models/<model id> for models without one), loaded with the
transformers class --model-class (AutoModelForQuestionAnswering, AutoModelForCausalLM, ...). A
gated repository reads its token from HF_TOKEN_PATH (the optional secret hf-token).

Data: the file TRAIN_DATA names, a path or an http(s) URL (fetched once per node into $HOME): a
dict of equal-length tensors written with torch.save, the keyword arguments of the model's forward
with its labels (input_ids, attention_mask and start_positions, end_positions for question
answering; labels for classification and generation). Tokenise the data set with the model's
tokenizer to write it.

Run: --epochs passes over the data, --per-device-batch-size examples per process and step, with
autocast for bf16 and fp16 plans (other precisions train in fp32), DistributedDataParallel across
torchrun's processes (NCCL on GPUs, Gloo on CPUs), shuffled by a DistributedSampler. With --shard
(a plan whose training state fits no one device whole) FullyShardedDataParallel instead: each
process holds its share of the weights, gradients and optimiser state (ZeRO-3), each transformer
block wrapped on its own, and rank 0 gathers the whole model to save it. Optional:
LEARNING_RATE (default 2e-5), DATALOADER_WORKERS (default 2; they hand batches over in /dev/shm).

Output: rank 0 saves the model with save_pretrained to OUTPUT_DIR (default $HOME/output, a scratch
volume: mount a volume and point OUTPUT_DIR at it to keep the model).

torch and transformers are imported in main(), so that the arguments can be checked without them.
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.request
from pathlib import Path


def fail(message: str) -> None:
    print(f"train.py: {message}", file=sys.stderr)
    sys.exit(2)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Fine-tune a Hugging Face model on a tensor data set.")
    parser.add_argument("--model", required=True, help="Hugging Face repository id or model directory")
    parser.add_argument("--model-class", required=True, help="transformers class, e.g. AutoModelForCausalLM")
    parser.add_argument("--precision", default="fp32", help="the plan's precision: bf16 and fp16 use autocast")
    parser.add_argument("--per-device-batch-size", type=int, required=True)
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--shard", action="store_true",
                        help="shard the training state over the processes (FullyShardedDataParallel) instead of copying it")
    return parser.parse_args(argv)


def setup():
    """The process's device, the world size and this process's ranks; joins the process group."""
    import torch
    import torch.distributed as dist

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank, local_rank = int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device("cuda", local_rank) if torch.cuda.is_available() else torch.device("cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if world > 1:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return device, world, rank, local_rank


def data_file(source: str, local_rank: int, world: int) -> Path:
    import torch.distributed as dist

    if not source:
        fail("TRAIN_DATA is not set: set it (env of the job's pytorch container) to the path or http(s) URL of "
             "a torch.save'd dict of equal-length tensors, the model's forward arguments with labels")
    if source.startswith(("http://", "https://")):
        path = Path(os.environ.get("HOME", "/tmp")) / "train-data.pt"
        if local_rank == 0 and not path.exists():
            urllib.request.urlretrieve(source, path)
        if world > 1:
            dist.barrier()
        return path
    path = Path(source)
    if not path.is_file():
        fail(f"TRAIN_DATA={source} is not a file: mount the volume that holds it, or give an http(s) URL")
    return path


def load_dataset(path: Path):
    """The tensors' names and a TensorDataset of them (one example per row)."""
    import torch
    from torch.utils.data import TensorDataset

    tensors = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(tensors, dict) or not tensors or not all(torch.is_tensor(t) for t in tensors.values()):
        fail(f"{path} holds no dict of tensors (write one with torch.save({{'input_ids': ..., 'labels': ...}}, path))")
    names = sorted(tensors)
    lengths = {name: len(tensors[name]) for name in names}
    if len(set(lengths.values())) != 1:
        fail(f"{path}: the tensors differ in length ({lengths}); each row is one example")
    return names, TensorDataset(*(tensors[name] for name in names))


def load_model(name: str, class_name: str):
    try:
        import transformers
    except ImportError:
        fail("transformers is not importable: the job's install-packages init container installs it under "
             "PYTHONUSERBASE")
    model_class = getattr(transformers, class_name, None)
    if model_class is None:
        fail(f"transformers has no class {class_name}")
    if name.startswith("/") and not Path(name).is_dir():
        fail(f"{name} is not a model directory: the fetch-model init container fills it from MODEL_SOURCE")
    return model_class.from_pretrained(name)


def grad_scaler(enabled: bool):
    import torch

    if hasattr(torch.amp, "GradScaler"):
        return torch.amp.GradScaler("cuda", enabled=enabled)
    return torch.cuda.amp.GradScaler(enabled=enabled)


def train(model, names, dataset, args, device, world: int, rank: int) -> None:
    import torch
    from torch.nn.parallel import DistributedDataParallel
    from torch.utils.data import DataLoader
    from torch.utils.data.distributed import DistributedSampler

    sampler = DistributedSampler(dataset) if world > 1 else None
    loader = DataLoader(dataset, batch_size=args.per_device_batch_size, sampler=sampler, shuffle=sampler is None,
                        num_workers=int(os.environ.get("DATALOADER_WORKERS", "2")),
                        pin_memory=device.type == "cuda")
    model.train()
    if args.shard and world > 1:
        wrapped = sharded(model, device)  # moved to the device share by share, never whole
    else:
        model.to(device)
        wrapped = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None) \
            if world > 1 else model
    optimizer = torch.optim.AdamW(wrapped.parameters(), lr=float(os.environ.get("LEARNING_RATE", "2e-5")))
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(args.precision)
    if device.type == "cpu" and dtype is torch.float16:
        dtype = None  # CPU autocast is for bfloat16
    scaler = sharded_grad_scaler(dtype is torch.float16) if wrapped is not model and args.shard \
        else grad_scaler(dtype is torch.float16)
    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        total, steps = 0.0, 0
        for batch in loader:
            inputs = {name: tensor.to(device, non_blocking=True) for name, tensor in zip(names, batch)}
            with torch.autocast(device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
                loss = wrapped(**inputs).loss
            if loss is None:
                fail(f"the model returned no loss: TRAIN_DATA holds {names}, without the labels its forward needs")
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            total, steps = total + loss.item(), steps + 1
        if rank == 0:
            print(f"train.py: epoch {epoch + 1}/{args.epochs}: mean loss {total / max(1, steps):.4f} "
                  f"over {steps} steps", flush=True)
    return wrapped


def sharded(model, device):
    """The model under FullyShardedDataParallel (FULL_SHARD, ZeRO-3), each of its transformer blocks (the
    classes its _no_split_modules names) a unit of its own, else units of 100M parameters."""
    import functools

    from torch.distributed.fsdp import FullyShardedDataParallel, ShardingStrategy
    from torch.distributed.fsdp.wrap import size_based_auto_wrap_policy, transformer_auto_wrap_policy

    blocks = {type(m) for m in model.modules() if type(m).__name__ in set(getattr(model, "_no_split_modules", None) or [])}
    policy = functools.partial(transformer_auto_wrap_policy, transformer_layer_cls=blocks) if blocks else \
        functools.partial(size_based_auto_wrap_policy, min_num_params=100_000_000)
    return FullyShardedDataParallel(model, auto_wrap_policy=policy, sharding_strategy=ShardingStrategy.FULL_SHARD,
                                    device_id=device if device.type == "cuda" else None, use_orig_params=True)


def sharded_grad_scaler(enabled: bool):
    from torch.distributed.fsdp.sharded_grad_scaler import ShardedGradScaler

    return ShardedGradScaler(enabled=enabled)


def full_state(wrapped, rank: int):
    """A sharded model's whole state dict, gathered on rank 0 in CPU memory (None on the other ranks)."""
    from torch.distributed.fsdp import FullStateDictConfig, FullyShardedDataParallel, StateDictType

    config = FullStateDictConfig(offload_to_cpu=True, rank0_only=True)
    with FullyShardedDataParallel.state_dict_type(wrapped, StateDictType.FULL_STATE_DICT, config):
        state = wrapped.state_dict()
    return state if rank == 0 else None


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    import torch.distributed as dist

    device, world, rank, local_rank = setup()
    names, dataset = load_dataset(data_file(os.environ.get("TRAIN_DATA", "").strip(), local_rank, world))
    model = load_model(args.model, args.model_class)
    wrapped = train(model, names, dataset, args, device, world, rank)
    state = full_state(wrapped, rank) if args.shard and world > 1 else None  # every rank takes part in gathering
    if rank == 0:
        output = Path(os.environ.get("OUTPUT_DIR") or Path(os.environ.get("HOME", "/tmp")) / "output")
        model.save_pretrained(output, state_dict=state)
        print(f"train.py: saved the model to {output}", flush=True)
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
