"""Rust vs Python onnxruntime cross-encoder throughput (pairs/s) on the same graph and
pairs: the `verify` role as scholia resolves it (SCHOLIA_MODEL_VERIFY, else the
manifest's default fetched into the data directory), 128 (evidence, claim) pairs,
16 pairs per session run.

    python3 benches/compare/model_classify.py [--skip-rust]

Runs the Python side (pair encoding truncated longest-first, each batch of 16 padded
to its longest pair, softmax over the logits), then `cargo bench --bench
model_classify` (unless --skip-rust), reads criterion's estimate and prints pairs/s
for both and the Rust/Python ratio. Needs onnxruntime, tokenizers and numpy.
"""
import os
import sys
import tomllib
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "golden"))
from scholia_home import data_dir  # noqa: E402
from rates import ROOT, criterion_items_per_second, items_per_second  # noqa: E402

ROLE = "verify"
BATCH = 16
BENCH_ID = "model_classify/verify_128_pairs_batch_16"


def resolve_role() -> tuple[Path, int | None]:
    """The folder and max_length scholia uses for the role (see src/model/registry.rs)."""
    manifest = tomllib.loads((ROOT / "models/manifest.toml").read_text()).get(ROLE)
    local = os.environ.get(f"SCHOLIA_MODEL_{ROLE.upper()}")
    if local:
        described = Path(local) / "scholia-model.toml"
        if described.is_file():
            return Path(local), tomllib.loads(described.read_text()).get("max_length")
        if manifest:
            return Path(local), manifest.get("max_length")
        sys.exit(f"{local} needs a scholia-model.toml: the manifest has no {ROLE} default")
    if not manifest:
        sys.exit(f"skipped: role {ROLE} is not configured (set SCHOLIA_MODEL_{ROLE.upper()} to a folder)")
    return data_dir() / "models" / ROLE / manifest["id"], manifest.get("max_length")


def pairs(texts: list[str]) -> list[tuple[str, str]]:
    """Same pairs as benches/model_classify.rs: sentences i..i+2 as evidence, i+n/2 as claim."""
    n = len(texts)
    return [(" ".join(texts[j % n] for j in range(i, i + 3)), texts[(i + n // 2) % n]) for i in range(n)]


def python_rate(pairs: list[tuple[str, str]]) -> float:
    folder, max_length = resolve_role()
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    if max_length:
        tokenizer.enable_truncation(max_length, strategy="longest_first")
    session = ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
    wants_types = any(i.name == "token_type_ids" for i in session.get_inputs())

    def classify() -> list[np.ndarray]:
        out = []
        for start in range(0, len(pairs), BATCH):
            encoded = tokenizer.encode_batch(pairs[start : start + BATCH])
            width = max(len(e.ids) for e in encoded)
            ids = np.zeros((len(encoded), width), np.int64)
            types, mask = np.zeros_like(ids), np.zeros_like(ids)
            for row, e in enumerate(encoded):
                ids[row, : len(e.ids)] = e.ids
                types[row, : len(e.ids)] = e.type_ids
                mask[row, : len(e.ids)] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if wants_types:
                feed["token_type_ids"] = types
            logits = session.run(["logits"], feed)[0]
            e = np.exp(logits - logits.max(1, keepdims=True))
            out.append(e / e.sum(1, keepdims=True))
        return out

    return items_per_second(classify, len(pairs))


def main() -> None:
    texts = (ROOT / "benches/compare/model_embed_texts.txt").read_text().splitlines()
    batch = pairs(texts)
    py = python_rate(batch)
    print(f"python onnxruntime {ort.__version__}: {py:.1f} pairs/s")
    if "--skip-rust" in sys.argv:
        return
    rs = criterion_items_per_second("model_classify", BENCH_ID, len(batch))
    print(f"scholia (ort, Rust):      {rs:.1f} pairs/s")
    print(f"ratio Rust/Python:        {rs / py:.2f}")


if __name__ == "__main__":
    main()
