"""Data, splits and the inference evidence protocol of scholia's `verify` model.

The protocol (`select_evidence`) is the contract with the Rust claims pipeline, which
reproduces it exactly:
  1. the cited abstract is a list of sentences (the corpus gives them as a list);
  2. embed the claim and every sentence with the shipped embedder (embedder.py);
  3. take the TOP_K sentences with the highest cosine to the claim (ties: earlier sentence),
     put them back in abstract order and join them with a single space: that is the evidence;
  4. classify the pair (evidence, claim) with the tokenizer's pair encoding, truncated
     longest-first to MAX_LENGTH tokens.
"""
import json
import os
import re
from dataclasses import dataclass

import numpy as np

DATA = "/work/shared/data"
TOP_K = 3
MAX_LENGTH = 256
LABELS = ["SUPPORT", "CONTRADICT", "NEI"]
LABEL_ID = {name: i for i, name in enumerate(LABELS)}

# citation-integrity masks citations as <|cit|> (the one checked), <|multi_cit|>, <|other_cit|>.
_MARKER = re.compile(r"<\|(?:multi_|other_)?cit\|>")
# A bracketed group holding a marker, e.g. "[<|cit|>, 7]" or "(Liu et al., <|cit|>; Wu, <|cit|>)".
_GROUP = re.compile(r"\s*[\[(]([^\[\]()]*<\|(?:multi_|other_)?cit\|>[^\[\]()]*)[\])]")
# One reference inside such a group: numbers, a marker after an optional author head
# ("Liu et al., <|cit|>"), or an unmasked author-year ("Tanner et al., 2011").
_REF = re.compile(r"\s*(?:[\d\s,\u2013-]*|[^,;]{0,60},?\s*<\|cit\|>[\d\s,]*|[^,;]{1,60},\s*\d{4}[a-z]?)\s*")
# A bracket a marker left open or empty: "[," or "[]".
_LEFTOVER = re.compile(r"\s*[\[(]\s*(?:,\s*|[\])])")


def _drop_reference_group(match):
    refs = _MARKER.sub("<|cit|>", match.group(1)).split(";")
    if all(_REF.fullmatch(r) for r in refs):
        return ""
    return match.group(0)


@dataclass
class Pair:
    """One evaluation unit: a claim and one document it cites."""
    source: str          # "scifact" or "citint"
    split: str           # "train", "dev", "test"
    claim_id: int
    doc_id: int
    claim: str
    label: int           # index into LABELS
    rationale: list      # gold rationale sentence indices (abstract order); empty for NEI


def clean_claim(text):
    """Strips masked citation markers and tidies the spaces and brackets they leave."""
    text = _GROUP.sub(_drop_reference_group, text)
    text = _MARKER.sub("", text)
    text = _LEFTOVER.sub(" ", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return text.strip()


def scifact_split(claim_id):
    if claim_id % 5 == 0:
        return "test"
    if claim_id % 10 == 1:
        return "dev"
    return "train"


def _read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _corpus(path):
    return {d["doc_id"]: d["abstract"] for d in _read_jsonl(path)}


def _pairs(claims, source, split_of, label_map, clean):
    pairs = []
    for c in claims:
        claim = clean(c["claim"])
        for doc_id in c["cited_doc_ids"]:
            sets = c["evidence"].get(str(doc_id), [])
            labels = {label_map.get(e["label"], e["label"]) for e in sets}
            if len(labels) > 1:
                raise ValueError(f"{source} claim {c['id']} doc {doc_id}: mixed labels {labels}")
            label = labels.pop() if labels else "NEI"
            rationale = sorted({s for e in sets for s in e["sentences"]})
            pairs.append(Pair(source, split_of(c["id"]), c["id"], doc_id, claim,
                              LABEL_ID[label], rationale))
    return pairs


def load(data=DATA):
    """All pairs and the two corpora: (pairs, {"scifact": corpus, "citint": corpus})."""
    sf = os.path.join(data, "scifact")
    ci = os.path.join(data, "citation-integrity")
    pairs = _pairs(_read_jsonl(os.path.join(sf, "claims_train.jsonl")), "scifact",
                   scifact_split, {}, str.strip)
    for name, split in (("claims_train.jsonl", "train"), ("claims_dev.jsonl", "dev")):
        pairs += _pairs(_read_jsonl(os.path.join(ci, name)), "citint", lambda _, s=split: s,
                        {"REFUTE": "CONTRADICT"}, clean_claim)
    corpora = {"scifact": _corpus(os.path.join(sf, "corpus.jsonl")),
               "citint": _corpus(os.path.join(ci, "corpus.jsonl"))}
    return pairs, corpora


def scifact_cited(pairs):
    """Corpus documents some SciFact claim (any split) cites: the ones no written claim may use."""
    return {p.doc_id for p in pairs if p.source == "scifact"}


def select_evidence(claim_vec, sentence_vecs, sentences, k=TOP_K):
    """The top-k sentences by cosine (vectors are L2-normalised), in abstract order, joined."""
    scores = sentence_vecs @ claim_vec
    # Stable sort on -score: equal scores keep abstract order.
    top = np.argsort(-scores, kind="stable")[:k]
    return " ".join(sentences[i] for i in sorted(top))


def rationale_text(pair, sentences):
    return " ".join(sentences[i] for i in pair.rationale)
