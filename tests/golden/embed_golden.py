"""Reference sentence embeddings from Python onnxruntime, for tests/model_embed.rs.

    python3 tests/golden/embed_golden.py [MODEL_DIR]

MODEL_DIR holds model.onnx and tokenizer.json (default: the fetched embed model in
scholia's data directory). Needs onnxruntime, tokenizers and numpy. Each text is run
on its own, unpadded, so the Rust side's batching and padding are checked too.
"""
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scholia_home import data_dir  # noqa: E402

MODEL_ID = "all-MiniLM-L6-v2-int8"
MAX_LENGTH = 256  # models/manifest.toml: embed.max_length
HERE = Path(__file__).parent

TEXTS = [
    "",
    "Transformers",
    "We measure the citation graph of 1,204 papers.",
    "The results contradict the earlier claim that dropout is unnecessary.",
    "Über die Elektrodynamik bewegter Körper — a 1905 paper.",
    "Eq. (3) gives $E = mc^2$ in natural units, see \\cite{einstein1905}.",
    "短い文です。",
    "Attention is all you need.",
    "Graph neural networks generalise convolution to irregular domains, "
    "and message passing is the common formulation behind most variants.",
    # Longer than the 256-token limit: checks truncation.
    " ".join(["Long manuscripts repeat their claims across sections."] * 40),
]


def main() -> None:
    model_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else data_dir() / "models/embed" / MODEL_ID
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_LENGTH)
    session = ort.InferenceSession(str(model_dir / "model.onnx"), providers=["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}
    vectors = []
    for text in TEXTS:
        ids = np.array([tokenizer.encode(text).ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in names:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(["last_hidden_state"], feed)[0][0]
        pooled = hidden.mean(axis=0)
        vectors.append([round(float(x), 6) for x in pooled / np.linalg.norm(pooled)])
    out = {"model": MODEL_ID, "onnxruntime": ort.__version__, "texts": TEXTS, "vectors": vectors}
    (HERE / "embed_minilm.json").write_text(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
