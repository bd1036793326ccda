"""Rust vs Python onnxruntime embedding throughput on the same graph and texts.

    python3 benches/compare/model_embed.py [--skip-rust]

Runs the Python side (sort by length, batches of 32 padded per batch, masked mean
pooling, L2), then `cargo bench --bench model_embed` (unless --skip-rust), reads
criterion's estimate and prints sentences/s for both and the Rust/Python ratio.
Needs onnxruntime, tokenizers and numpy; uses the model `scholia models fetch` left
in the data directory (SCHOLIA_HOME, XDG_DATA_HOME/scholia, ~/.local/share/scholia).
"""
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "golden"))
from scholia_home import data_dir  # noqa: E402
from rates import ROOT, criterion_items_per_second, items_per_second  # noqa: E402

MODEL_ID = "all-MiniLM-L6-v2-int8"
MAX_LENGTH = 256
BATCH = 32
BENCH_ID = "model_embed/minilm_128_sentences_batch_32"


def python_rate(texts: list[str]) -> float:
    model_dir = data_dir() / "models/embed" / MODEL_ID
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_LENGTH)
    session = ort.InferenceSession(str(model_dir / "model.onnx"), providers=["CPUExecutionProvider"])

    def embed() -> np.ndarray:
        ids = [e.ids for e in tokenizer.encode_batch(texts)]
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        out = np.zeros((len(ids), 384), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            width = max(len(ids[i]) for i in chunk)
            input_ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros_like(input_ids)
            for row, i in enumerate(chunk):
                input_ids[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1
            feed = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
            hidden = session.run(["last_hidden_state"], feed)[0]
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[chunk] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out

    return items_per_second(embed, len(texts))


def main() -> None:
    texts = (ROOT / "benches/compare/model_embed_texts.txt").read_text().splitlines()
    py = python_rate(texts)
    print(f"python onnxruntime {ort.__version__}: {py:.1f} sentences/s")
    if "--skip-rust" in sys.argv:
        return
    rs = criterion_items_per_second("model_embed", BENCH_ID, len(texts))
    print(f"scholia (ort, Rust):      {rs:.1f} sentences/s")
    print(f"ratio Rust/Python:        {rs / py:.2f}")


if __name__ == "__main__":
    main()
