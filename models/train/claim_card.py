"""Renders models/claim-head/MODEL_CARD.md from the spec and metrics of a claim_head.py run."""


def _pct(x):
    return f"{100 * x:.1f}%"


def _row(name, r):
    return (f"| {name} | {r['sentences']} | {r['needing']} ({_pct(r['needing'] / max(r['sentences'], 1))}) | "
            f"{r['threshold']:.3f} | {r['flagged']} | {_pct(r['precision'])} | {_pct(r['recall'])} |")


def _config(c):
    data = "real papers + outside sets" if c["outside_data"] else "real papers only"
    emb = "embedding + lexical" if c["embedding"] else "lexical only (embedding weights 0)"
    return f"C={c['C']}, paper weight {c['paper_weight']}, {data}, {emb}"


def render_card(spec, metrics):
    shipped = metrics["shipped"]
    cfg = shipped["config"]
    lines = [
        "# scholia claim head",
        "",
        "Does this sentence of a manuscript need a citation? A logistic regression over the",
        "all-MiniLM-L6-v2 (int8) embedding of the sentence and a few lexical features, exported as",
        "`sigmoid(features @ W + B)` (ONNX opset 17, embedded in the scholia binary). Trained by",
        "`models/train/claim_head.py`; `features.json` is the specification the Rust side",
        "(`src/analysis/claims/detect.rs`) implements.",
        "",
        "## Input",
        "",
        "The IR's prose of a sentence (citations read `[REF]`, math `X`, cross-references `1`).",
        "`clean()` removes each `[REF]` with the lead-in words before it (`see`, `e.g.`, `by`, `in`,",
        "`such as`, ...), then empty brackets and the separators left behind, so a cited sentence",
        "with its citation removed reads like an uncited one (no \"as shown by .\" scar for the head",
        "to learn). The head scores the cleaned text.",
        "",
        f"Never flagged, whatever the score: a sentence with fewer than {spec['eligible'].split()[2]} words",
        "holding an ASCII letter once cleaned (list items, short fragments, number or math runs).",
        "Headings and captions are not sentences of the IR, so they are never scored. The server",
        "never flags a sentence of the abstract (abstracts carry no citations by convention).",
        "",
        "## Lexical features and why",
        "",
        "- `first_person` (we, our, us, ours): the authors' own work, which needs no citation.",
        "- `has_digit`, `has_percent`: the paper's own measurements and results.",
        "- `log_words`: long sentences carry more claims.",
        "- attribution and hedges (`has been`, `been shown`, `previously`, `recent`, `studies`,",
        "  `et al`, `reported`, `proposed`, `such as`, ...): knowledge somebody else established.",
        "- comparatives (`than`, `better`, `outperform`): claims relative to other work.",
        "- the document itself (`this paper`, `this review`, `here`, `figure`, `table`): statements",
        "  about the manuscript, not the field.",
        "",
        "## Data",
        "",
        "| source | eligible sentences | needing a citation | cited by the author | uncited, labelled `needs` |",
        "|---|---|---|---|---|",
    ]
    for k, v in metrics["eligible_sentences"].items():
        lines.append(f"| {k} | {v['sentences']} | {v['needing']} | {v['cited']} | {v['uncited_needs']} |")
    lines += [
        "",
        "- real papers (`../shared/data/papers`), read with `scholia sentences --json`: a sentence",
        "  needs a citation when its author cited it or the blind annotation",
        "  (`models/train/claim-labels/`, see its README and GUIDELINES) labels it `needs`; cited",
        "  sentences have their citations removed by `clean()`;",
        "- citation-integrity `claims_train.jsonl`: the citing sentences (markers mapped to `[REF]`);",
        "  sentences of a claim without a marker are left out (their status is unknown);",
        "- SciTLDR `train.jsonl` abstract sentences as negatives (the variant `own` keeps only those in",
        "  the first person or the paper's TL;DR sentence: an abstract's background sentences would",
        "  carry a citation in a paper's body).",
        "",
        "## Evaluation (leave one paper out)",
        "",
        "What is measured is what `uncited-claim` shows a writer: the paper's uncited sentences",
        "outside the abstract, a flag being right when the blind label says `needs` (`attributed`",
        "and `none` count as false alarms). For each reported paper the *other* real paper chooses",
        "the configuration (average precision of a head trained without it, on its uncited",
        "sentences) and the threshold (lowest reaching precision",
        f"{metrics['target_precision']} there, at least 5 flags); a head trained without the reported",
        "paper is scored at that threshold. Precision of flagging everything = the `needs` share.",
        "",
        "| held-out paper | uncited sentences | labelled `needs` | threshold | flagged | precision | recall |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in metrics["held_out"].items():
        lines.append(_row(name, r))
    lines += ["", "Average precision and the configuration chosen for each:", ""]
    for name, r in metrics["held_out"].items():
        c = r["config"]
        reached = "reached" if r["target_reached_on_chosen_paper"] else "NOT reached"
        lines.append(f"- {name}: AP {r['average_precision']:.3f} (`needs` share "
                     f"{r['needing'] / r['sentences']:.3f}); chosen on {r['chosen_on']}: {_config(c)}; "
                     f"target precision {reached} there")
    lines += [
        "",
        "## Shipped head",
        "",
        f"Trained on everything with {_config(cfg)} (best mean held-out average precision over",
        "both papers).",
        f"Threshold {shipped['threshold']:.4f}: the lowest with precision >= {metrics['target_precision']}",
        "on both papers' held-out predictions pooled"
        + ("." if shipped["target_reached"] else ", which NO threshold reaches: this is the one with the best precision there (at least 5 flags)."),
        "At that threshold, held out:",
        "",
        "| paper | uncited sentences | labelled `needs` | threshold | flagged | precision | recall |",
        "|---|---|---|---|---|---|---|",
        _row("both pooled", shipped["pooled_held_out"]),
    ]
    for name, r in shipped["held_out_at_shipped_threshold"].items():
        lines.append(_row(name, r))
    lines += [
        "",
        "The threshold was chosen on these same predictions, so these rows are optimistic; the",
        "table above is the honest figure. The shipped head on the papers it was trained on (what",
        "`tests/claim_detect.rs` recomputes in Rust):",
        "",
        "| paper | uncited sentences | labelled `needs` | threshold | flagged | precision | recall |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in shipped["on_training_papers"].items():
        lines.append(_row(name, r))
    lines += [
        "",
        "## Grid (held-out average precision)",
        "",
        "| C | paper weight | SciTLDR | outside sets | embedding | " + " | ".join(metrics["held_out"]) + " |",
        "|---|---|---|---|---|" + "---|" * len(metrics["held_out"]),
    ]
    for g in metrics["grid_average_precision"]:
        lines.append(f"| {g['C']} | {g['paper_weight']} | {g['scitldr']} | {g['outside_data']} | {g['embedding']} | "
                     + " | ".join(f"{g[n]:.3f}" for n in metrics["held_out"]) + " |")
    lines += [
        "",
        "## Limits",
        "",
        "- Three real papers (astronomy, chemistry, software) are the only in-domain labels; the",
        "  citing sentences are biomedical and the abstracts machine learning.",
        "- The labels are one annotator's judgement (see `models/train/claim-labels/README.md`).",
        "- Sentence-level only: a sentence continuing a cited one (`attributed`) is judged without",
        "  its neighbours, so some flags are of that kind.",
        "",
    ]
    return "\n".join(lines)
