"""Metrics, the thresholded decision rule and its tuning for the `verify` model."""
import time

import numpy as np

SUPPORT, CONTRADICT, NEI = 0, 1, 2
# Fewest CONTRADICT predictions on dev for a precision to count: one lucky hit is not 1.0.
MIN_PREDICTED = 3
GRID = np.round(np.arange(0.20, 0.96, 0.01), 2)
# A CONTRADICT threshold no probability reaches: the rule then never says CONTRADICT.
NEVER = 1.01


def decide(probs, t_c, t_s):
    """CONTRADICT if p(C) >= t_c, else SUPPORT if p(S) >= t_s, else NEI."""
    return np.where(probs[:, CONTRADICT] >= t_c, CONTRADICT,
                    np.where(probs[:, SUPPORT] >= t_s, SUPPORT, NEI))


def _pr(gold_pos, pred_pos):
    tp = int((gold_pos & pred_pos).sum())
    p = tp / pred_pos.sum() if pred_pos.sum() else 0.0
    r = tp / gold_pos.sum() if gold_pos.sum() else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return float(p), float(r), float(f)


def metrics(gold, pred):
    gold, pred = np.asarray(gold), np.asarray(pred)
    names = ["SUPPORT", "CONTRADICT", "NEI"]
    per = {n: dict(zip(("precision", "recall", "f1"), _pr(gold == i, pred == i)))
           for i, n in enumerate(names)}
    ns_p, ns_r, ns_f = _pr(gold != SUPPORT, pred != SUPPORT)
    confusion = [[int(((gold == g) & (pred == q)).sum()) for q in range(3)] for g in range(3)]
    return {
        "macro_f1": float(np.mean([per[n]["f1"] for n in names])),
        "accuracy": float((gold == pred).mean()),
        "per_label": per,
        "contradict_precision": per["CONTRADICT"]["precision"],
        "contradict_recall": per["CONTRADICT"]["recall"],
        "predicted_contradict": int((pred == CONTRADICT).sum()),
        "not_supported_precision": ns_p,
        "not_supported_recall": ns_r,
        "confusion_gold_rows_pred_cols": confusion,
    }


def choose_thresholds(gold, probs):
    """(t_c, t_s, notes): among the t_c giving dev CONTRADICT precision >= 0.7 (with at least
    MIN_PREDICTED predictions), the (t_c, t_s) of best dev macro-F1; ties go to the higher
    t_c, then the higher t_s (fewer alarms). When no t_c reaches that precision, the model
    may not say CONTRADICT at all: t_c = NEVER, and t_s maximises macro-F1 alone."""
    rows = []
    for t_c in [*GRID, NEVER]:
        for t_s in GRID:
            m = metrics(gold, decide(probs, t_c, t_s))
            ok = m["predicted_contradict"] >= MIN_PREDICTED
            rows.append((float(t_c), float(t_s), m["macro_f1"],
                         m["contradict_precision"] if ok else -1.0))
    feasible = [r for r in rows if r[3] >= 0.7]
    met = bool(feasible)
    if not met:
        feasible = [r for r in rows if r[0] == NEVER]
    t_c, t_s, f1, p = max(feasible, key=lambda r: (round(r[2], 6), r[0], r[1]))
    return t_c, t_s, {"precision_target_met": met, "dev_macro_f1": f1,
                      "dev_contradict_precision": max(p, 0.0),
                      "grid": [float(GRID[0]), float(GRID[-1]), 0.01],
                      "min_predicted_contradict": MIN_PREDICTED}


def pairs_per_second(classifier, pad, encoded, batch=16, repeats=3):
    """Pairs per second over encoded pairs in their given order, batches of `batch`, best of
    `repeats` passes after a warm-up batch."""
    classifier.logits(pad(encoded[:batch]))
    best = 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        for b in range(0, len(encoded), batch):
            classifier.logits(pad(encoded[b:b + batch]))
        best = max(best, len(encoded) / (time.perf_counter() - t0))
    return best
