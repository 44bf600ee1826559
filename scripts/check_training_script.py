"""Run the training script a fine-tuning plan's Kubernetes Job ships (intent/deploy/train.py) on a
tiny model, in two processes as torchrun starts them, and check that it trains and refuses to
start without its data.

It needs torch and transformers, which intentctl does not depend on (the test suite checks the
script's arguments and the manifests without them). Install both, then:

    python scripts/check_training_script.py

Exit status 0 when every check holds; 1, with what failed, otherwise; 2 without torch or
transformers.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    try:
        import torch
        import transformers
    except ImportError as exc:
        print(f"check_training_script: {exc.name} is not installed (pip install torch transformers)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        config = transformers.BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                         intermediate_size=32, max_position_embeddings=32)
        transformers.BertForQuestionAnswering(config).save_pretrained(tmp / "model")
        n = 12
        torch.save({"input_ids": torch.randint(0, 50, (n, 8)), "attention_mask": torch.ones(n, 8, dtype=torch.long),
                    "start_positions": torch.randint(0, 8, (n,)), "end_positions": torch.randint(0, 8, (n,))},
                   tmp / "train.pt")
        script = ROOT / "intent" / "deploy" / "train.py"
        args = [str(script), f"--model={tmp / 'model'}", "--model-class=AutoModelForQuestionAnswering",
                "--precision=bf16", "--per-device-batch-size=4", "--epochs=2"]
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "DATALOADER_WORKERS": "0", "OUTPUT_DIR": str(tmp / "out")}
        run = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc-per-node=2", *args],
                             env={**env, "TRAIN_DATA": str(tmp / "train.pt")}, capture_output=True, text=True,
                             timeout=600, check=False)
        failures = []
        if run.returncode != 0:
            failures.append(f"training in two processes exited {run.returncode}: {run.stderr[-2000:]}")
        elif "epoch 2/2" not in run.stdout or not (tmp / "out" / "config.json").exists():
            failures.append("training ran but did not finish its 2 epochs or save the model")
        unset = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=600,
                               check=False)
        if unset.returncode != 2 or "TRAIN_DATA is not set" not in unset.stderr:
            failures.append(f"without TRAIN_DATA it exited {unset.returncode}, not 2 with 'TRAIN_DATA is not set'")
    for failure in failures:
        print(f"FAILED: {failure}")
    if not failures:
        print("ok: trained 2 epochs in two processes and saved the model; refused to start without TRAIN_DATA")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
