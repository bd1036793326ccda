"""Writes what verify.py ships: config, decision spec, metrics, golden pairs, model card."""
import hashlib
import json
import os

import numpy as np

import verify_data as vd
from verify_eval import decide

GOLDEN_PER_LABEL = {"SUPPORT": 3, "CONTRADICT": 3, "NEI": 2}


def model_id(summary):
    n = len(summary["members"])
    return f"scifact-minilm-l6-verify{f'-x{n}' if n else ''}-int8"


def _dump(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def golden(sets, evidence, int8, t_c, t_s):
    """Test pairs with the int8 model's probabilities (each pair run alone, unpadded) and the
    label after the thresholds: the first pairs by claim id of each predicted label, plus
    the longest pair (it is truncated) when it is not among them."""
    pairs, encoded, _ = sets["scifact_test"]
    order = sorted(range(len(pairs)), key=lambda i: (pairs[i].claim_id, pairs[i].doc_id))
    single = {i: int8.probs([encoded[i]])[0] for i in order}
    chosen, left = [], dict(GOLDEN_PER_LABEL)
    for i in order:
        label = vd.LABELS[decide(single[i][None, :], t_c, t_s)[0]]
        if left[label]:
            left[label] -= 1
            chosen.append(i)
    longest = max(order, key=lambda i: (len(encoded[i][0]), -i))
    if longest not in chosen:
        chosen.append(longest)
    out = []
    for i in chosen:
        p = pairs[i]
        out.append({
            "claim_id": p.claim_id, "doc_id": p.doc_id,
            "evidence": evidence[(p.source, p.claim_id, p.doc_id)]["top"], "claim": p.claim,
            "tokens": len(encoded[i][0]),
            "probabilities": [round(float(x), 6) for x in single[i]],
            "label": vd.LABELS[decide(single[i][None, :], t_c, t_s)[0]],
            "gold": vd.LABELS[p.label],
        })
    return out


def write_outputs(repo, summary, sets, evidence, int8, config):
    out = os.path.join(repo, "models", "verify")
    t = summary["thresholds"]
    spec = {"top_k": vd.TOP_K, "max_length": vd.MAX_LENGTH,
            "contradict_threshold": t["contradict_threshold"],
            "support_threshold": t["support_threshold"], "labels": vd.LABELS}
    _dump(os.path.join(out, "scholia-verify.json"), spec)
    _dump(os.path.join(out, "config.json"), config)
    summary["model_sha256"] = _sha256(os.path.join(out, "model.onnx"))
    _dump(os.path.join(out, "metrics.json"), summary)
    gold = golden(sets, evidence, int8, t["contradict_threshold"], t["support_threshold"])
    _dump(os.path.join(repo, "tests", "golden", "verify.json"),
          {"model": model_id(summary), "labels": vd.LABELS, "decision": spec,
           "generated_by": "models/train/verify.py (Python onnxruntime, int8 model, one pair per run)",
           "pairs": gold})
    from verify_card import render
    with open(os.path.join(out, "MODEL_CARD.md"), "w", encoding="utf-8") as f:
        f.write(render(summary, spec))
    print(json.dumps({k: summary["report"][k]["int8_thresholds"]["macro_f1"] for k in summary["report"]}),
          flush=True)
