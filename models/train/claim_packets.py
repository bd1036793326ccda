#!/usr/bin/env python3
"""Write the blind labelling packets behind models/train/claim-labels/ (see its README.md).

    python models/train/claim_packets.py --out DIR [--scholia target/release/scholia]

Each eligible sentence of each real paper becomes one item: its id (`<paper>:<index into
scholia sentences --json>`), its section title, up to two sentences before it and one after
(citations shown as [REF]), and the sentence itself with its citations removed by clean(), so
the annotator cannot see whether the author cited it. Writes DIR/<paper>.txt and
DIR/<paper>.index.jsonl (id and the sha the label files carry).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import claim_text as T  # noqa: E402
from claim_head import PAPERS, REPO, paper_sentences, prose_sha  # noqa: E402


def items(scholia, name):
    rows = paper_sentences(scholia, name)
    for i, row in enumerate(rows):
        if T.eligible(row["prose"]):
            yield {"id": f"{name}:{i}", "sha": prose_sha(row["prose"]), "section": row["section_title"],
                   "before": [r["prose"] for r in rows[max(0, i - 2):i]], "target": T.clean(row["prose"]),
                   "after": rows[i + 1]["prose"] if i + 1 < len(rows) else ""}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--scholia", default=os.path.join(REPO, "target", "release", "scholia"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in PAPERS:
        with open(os.path.join(args.out, f"{name}.txt"), "w") as packet, \
                open(os.path.join(args.out, f"{name}.index.jsonl"), "w") as index:
            for x in items(os.path.abspath(args.scholia), name):
                packet.write(f"### {x['id']}   [section: {x['section']}]\n")
                packet.writelines(f"  before: {b}\n" for b in x["before"])
                packet.write(f">>> TARGET: {x['target']}\n")
                if x["after"]:
                    packet.write(f"  after: {x['after']}\n")
                packet.write("\n")
                index.write(json.dumps({"id": x["id"], "sha": x["sha"]}) + "\n")


if __name__ == "__main__":
    main()
