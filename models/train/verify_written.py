"""Claims written against uncited SciFact corpus abstracts (verify-claims/, see its README).

SciFact's training split holds 128 contradicted (claim, abstract) pairs, most of them a claim
written by flipping a supported one. The written claims add, per abstract, a paraphrased supported
finding, the same finding reversed, an unaddressed one, and either another finding stated
falsely (packets 1-16) or a second supported finding (packets 17-49), so the model sees
contradictions worded freshly against evidence it must read. They are training pairs only:
their abstracts are cited by no SciFact claim.
"""
import glob
import json
import os

import verify_data as vd

WRITTEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "verify-claims")
HOW = {"paraphrase": "SUPPORT", "second-finding": "SUPPORT", "reversal": "CONTRADICT",
       "other-finding": "CONTRADICT", "unaddressed": "NEI"}
MIN_WORDS, MAX_WORDS = 6, 30


def _check(row, corpus, cited, where):
    """The row's Pair, or ValueError naming `where` and the rule it breaks."""
    doc = row.get("doc_id")
    if doc not in corpus:
        raise ValueError(f"{where}: doc_id {doc!r} is not in the SciFact corpus")
    if doc in cited:
        raise ValueError(f"{where}: doc {doc} is cited by a SciFact claim (dev/test leak)")
    how, label = row.get("how"), row.get("label")
    if HOW.get(how) != label:
        raise ValueError(f"{where}: label {label!r} does not go with how {how!r}")
    claim = row.get("claim", "").strip()
    if not MIN_WORDS <= len(claim.split()) <= MAX_WORDS:
        raise ValueError(f"{where}: claim has {len(claim.split())} words ({MIN_WORDS}-{MAX_WORDS})")
    sentences = row.get("sentences")
    if not isinstance(sentences, list) or any(
            not isinstance(i, int) or not 0 <= i < len(corpus[doc]) for i in sentences):
        raise ValueError(f"{where}: sentences {sentences!r} are not indices into doc {doc}")
    if (label == "NEI") != (not sentences):
        raise ValueError(f"{where}: {label} with sentences {sentences}")
    return claim, sorted(set(sentences))


def _packet(path):
    return int(os.path.basename(path)[len("claims-"):-len(".jsonl")])


def load_written(corpus, pairs, folder=WRITTEN, packets=None):
    """Training Pairs (source "written") from the claims-N.jsonl in `folder`, all of them or
    those with N <= `packets`; `pairs` are the labelled pairs, whose SciFact documents the
    written claims must not use."""
    cited = vd.scifact_cited(pairs)
    # Name order (claims-1, claims-10, ...), which fixes the pairs' order and so the run.
    paths = [p for p in sorted(glob.glob(os.path.join(folder, "claims-*.jsonl")))
             if packets is None or _packet(p) <= packets]
    if not paths:
        raise ValueError(f"no claims-*.jsonl in {folder}")
    out = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                where = f"{os.path.basename(path)}:{n}"
                row = json.loads(line)
                claim, rationale = _check(row, corpus, cited, where)
                out.append(vd.Pair("written", "train", len(out), row["doc_id"], claim,
                                   vd.LABEL_ID[row["label"]], rationale))
    return out
