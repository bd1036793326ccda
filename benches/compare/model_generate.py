"""Rust vs Python onnxruntime generation speed on the same converted SmolLM2 graph,
prompt and 200 greedy tokens (with the KV cache), plus the Rust run's no-cache
speed-up and peak RSS.

    python3 benches/compare/model_generate.py [--skip-rust]

Runs the Python loop, then `cargo bench --bench model_generate` (unless
--skip-rust), reads its JSON line and prints both rates and the Rust/Python ratio.
Needs onnxruntime, tokenizers and numpy, and the model `scholia models fetch` made.
"""
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "golden"))
from scholia_home import data_dir  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
MODEL_ID = "smollm2-135m-instruct-q4_1"
TOKENS = 200
# Same text as PROMPT in benches/model_generate.rs.
PROMPT = ("<|im_start|>user\nWrite a long, detailed essay on the history of peer review "
          "in scientific publishing, from the first journals to today.<|im_end|>\n<|im_start|>assistant\n")


def python_rate() -> float:
    d = data_dir() / "models/generate" / MODEL_ID
    ids = Tokenizer.from_file(str(d / "tokenizer.json")).encode(PROMPT).ids
    s = ort.InferenceSession(str(d / "model.onnx"), providers=["CPUExecutionProvider"])
    presents = [o.name for o in s.get_outputs()][1:]
    eos = json.loads((d / "generation_config.json").read_text())["eos_token_id"]

    def generate() -> int:
        past = {p.replace("present", "past_key_values"): np.zeros((1, 3, 0, 64), np.float32) for p in presents}
        tokens, feed_ids, n = [], ids, 0
        for _ in range(TOKENS):
            feed = {"input_ids": np.array([feed_ids], np.int64),
                    "attention_mask": np.ones((1, n + len(feed_ids)), np.int64),
                    "position_ids": np.arange(n, n + len(feed_ids), dtype=np.int64)[None], **past}
            out = s.run(None, feed)
            n += len(feed_ids)
            past = {p.replace("present", "past_key_values"): v for p, v in zip(presents, out[1:])}
            tokens.append(int(out[0][0, -1].argmax()))
            if tokens[-1] in eos:
                break
            feed_ids = [tokens[-1]]
        return len(tokens)

    generate()  # warm-up
    start = time.perf_counter()
    count = generate()
    return count / (time.perf_counter() - start)


def main() -> None:
    py = python_rate()
    print(f"python onnxruntime {ort.__version__}: {py:.1f} tokens/s (greedy, KV cache)")
    if "--skip-rust" in sys.argv:
        return
    run = subprocess.run(["cargo", "bench", "--bench", "model_generate"], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    print(run.stdout.strip())
    rust = json.loads(run.stdout.strip().splitlines()[-1])
    print(f"ratio Rust/Python (with cache): {rust['cached_tps'] / py:.2f}")


if __name__ == "__main__":
    main()
