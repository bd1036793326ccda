"""Writes the packets from which the written claims in verify-claims/ were made.

    python models/train/verify_claim_packets.py OUT_DIR [--parts 49] [--per-part 75]

Abstracts come from SciFact's corpus, only those that no SciFact claim of any split cites
(so nothing about a dev or test document is written), with 5 to 12 sentences, in a seeded
order. Each packet shows a document's id, title and numbered sentences; a writer follows
verify-claims/GUIDELINES.md. Running it again writes identical packets.
"""
import argparse
import json
import os
import random

import verify_data as vd

SEED = 21
MIN_SENTENCES, MAX_SENTENCES = 5, 12


def chosen_documents(data=vd.DATA):
    """The corpus documents eligible for written claims, in the seeded order."""
    cited = vd.scifact_cited(vd.load(data)[0])
    with open(os.path.join(data, "scifact", "corpus.jsonl"), encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]
    docs = [d for d in docs if d["doc_id"] not in cited
            and MIN_SENTENCES <= len(d["abstract"]) <= MAX_SENTENCES]
    docs.sort(key=lambda d: d["doc_id"])
    random.Random(SEED).shuffle(docs)
    return docs


def packet_text(docs):
    out = []
    for d in docs:
        out.append(f"### doc {d['doc_id']}\ntitle: {d['title'].strip()}")
        out += [f"[{i}] {s.strip()}" for i, s in enumerate(d["abstract"])]
        out.append("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--parts", type=int, default=49)
    ap.add_argument("--per-part", type=int, default=75)
    args = ap.parse_args()
    docs = chosen_documents()
    os.makedirs(args.out, exist_ok=True)
    for part in range(args.parts):
        chunk = docs[part * args.per_part:(part + 1) * args.per_part]
        with open(os.path.join(args.out, f"packet-{part + 1}.txt"), "w", encoding="utf-8") as f:
            f.write(packet_text(chunk))


if __name__ == "__main__":
    main()
