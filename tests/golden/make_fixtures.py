"""Writes the tiny ONNX graphs the model tests load, and the reference outputs from
Python onnxruntime (needs onnx, onnxruntime, tokenizers, numpy).

    python3 tests/golden/make_fixtures.py

wrong_inputs.onnx: an encoder-shaped graph whose input is `pixel_values`, so loading
it as an embedder must fail with a clear "unexpected inputs" error.

tiny_cross_encoder/: a three-label pair classifier over a 16-word vocabulary: logits
are the masked sum of per-token and per-segment vectors, so padding, the attention
mask and token types all change the answer if mishandled. expected.json holds
softmax probabilities from Python onnxruntime, each pair run alone and unpadded;
scholia-model.toml lets a role point at the folder.
"""
import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer, models, pre_tokenizers, processors

HERE = Path(__file__).parent
WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "model", "claim", "is", "not", "supported",
         "by", "data", "results", "contradict", "we", "show"]
LABELS = {"0": "contradiction", "1": "entailment", "2": "neutral"}
PAIRS = [
    ("the claim is supported", "the data show the claim"),
    ("results contradict the model", "we show the model is not supported"),
    ("the model", "the model"),
    ("unknown words here", "data"),
    ("", "the claim"),
]


def wrong_inputs() -> onnx.ModelProto:
    x = helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["b", "s", 4])
    y = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["b", "s", 4])
    node = helper.make_node("Identity", ["pixel_values"], ["last_hidden_state"])
    graph = helper.make_graph([node], "wrong_inputs", [x], [y])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def tiny_cross_encoder() -> onnx.ModelProto:
    rng = np.random.default_rng(3)
    words = numpy_helper.from_array((0.3 * rng.normal(size=(len(WORDS), 3))).astype(np.float32), "words")
    segments = numpy_helper.from_array(np.array([[0, 0, 0], [0.5, -0.5, 0.25]], np.float32), "segments")
    axes = numpy_helper.from_array(np.array([1], np.int64), "axes")
    last = numpy_helper.from_array(np.array([-1], np.int64), "last")
    nodes = [
        helper.make_node("Gather", ["words", "input_ids"], ["w"]),
        helper.make_node("Gather", ["segments", "token_type_ids"], ["t"]),
        helper.make_node("Add", ["w", "t"], ["wt"]),
        helper.make_node("Cast", ["attention_mask"], ["m"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["m", "last"], ["m3"]),
        helper.make_node("Mul", ["wt", "m3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axes"], ["logits"], keepdims=0),
    ]
    ids = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "seq"])
           for n in ["input_ids", "attention_mask", "token_type_ids"]]
    out = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3])
    graph = helper.make_graph(nodes, "tiny_cross_encoder", ids, [out], [words, segments, axes, last])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def tiny_tokenizer() -> Tokenizer:
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    return tok


def main() -> None:
    onnx.save(wrong_inputs(), HERE / "wrong_inputs.onnx")
    out = HERE / "tiny_cross_encoder"
    out.mkdir(exist_ok=True)
    onnx.save(tiny_cross_encoder(), out / "model.onnx")
    tok = tiny_tokenizer()
    tok.save(str(out / "tokenizer.json"))
    (out / "config.json").write_text(json.dumps({"id2label": LABELS}, indent=2) + "\n")
    (out / "scholia-model.toml").write_text(
        'id = "tiny-cross-encoder"\narchitecture = "cross-encoder"\nmax_length = 32\n'
        'files = ["model.onnx", "tokenizer.json", "config.json"]\n')
    session = ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    expected = []
    for a, b in PAIRS:
        enc = tok.encode(a, b)
        ids = np.array([enc.ids], np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids),
                "token_type_ids": np.array([enc.type_ids], np.int64)}
        logits = session.run(["logits"], feed)[0][0]
        p = np.exp(logits - logits.max())
        expected.append([round(float(x), 6) for x in p / p.sum()])
    (out / "expected.json").write_text(json.dumps({"pairs": PAIRS, "probabilities": expected}) + "\n")


if __name__ == "__main__":
    main()
