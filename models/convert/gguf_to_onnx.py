"""Convert a Llama-family GGUF (Q4_1 / Q8_0 / F32 tensors) into an ONNX decoder with
a KV cache in the onnx-community layout, keeping the weights quantised.

    python3 gguf_to_onnx.py MODEL.gguf OUT_DIR

Writes OUT_DIR/model.onnx, tokenizer.json (byte-level BPE from the GGUF vocabulary
and merges), tokenizer_config.json (chat template, special tokens) and
generation_config.json (bos/eos). Needs numpy, gguf and onnx; no torch. The output
is deterministic for pinned package versions, so its sha256 can be recorded.

Graph: inputs input_ids [batch, seq], attention_mask [batch, past+seq],
position_ids [batch, seq], past_key_values.N.key/value [batch, kv_heads, past,
head_dim]; outputs logits [batch, seq, vocab], present.N.key/value. Attention is
com.microsoft GroupQueryAttention with its rotary embedding, which derives
positions from the mask's length, so sequences must not be padded (position_ids is
accepted for the layout's sake). Q4_1 matrices
become com.microsoft MatMulNBits (4-bit, block 32) plus an exact per-block offset; the
Q8_0 token embedding (tied to the output) is one uint8 tensor (q + 128) shared by a
Gather for the input and an 8-bit MatMulNBits for the logits.
"""
import json
import sys
from pathlib import Path

import numpy as np
import onnx
from gguf import GGUFReader, GGUFValueType
from onnx import TensorProto, helper, numpy_helper

BLOCK = 32
# The 8-bit output layer computes with int8-quantised activations: 4x faster on CPU
# (the 4-bit layers are faster in fp32). Costs up to ~0.5 in a logit.
ACCURACY = 4
OPSET = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]


# --- GGUF reading -------------------------------------------------------------------

def field(reader: GGUFReader, key: str, default=None):
    f = reader.fields.get(key)
    if f is None:
        return default
    if f.types[0] == GGUFValueType.ARRAY:
        if f.types[1] == GGUFValueType.STRING:
            return [bytes(f.parts[i]).decode("utf-8") for i in f.data]
        return [f.parts[i].tolist()[0] for i in f.data]
    if f.types[0] == GGUFValueType.STRING:
        return bytes(f.parts[f.data[0]]).decode("utf-8")
    return f.parts[f.data[0]].tolist()[0]


def q4_1_blocks(raw: np.ndarray, rows: int):
    """Q4_1 blocks of 20 bytes: f16 d, f16 m, 16 bytes; element j is the low nibble
    of byte j, element j+16 its high nibble; value = d*q + m.
    Returns q [rows, blocks, 32] uint8, d and m [rows, blocks] float32."""
    b = raw.reshape(rows, -1, 20)
    d = b[..., 0:2].copy().view(np.float16)[..., 0].astype(np.float32)
    m = b[..., 2:4].copy().view(np.float16)[..., 0].astype(np.float32)
    qs = b[..., 4:]
    return np.concatenate([qs & 0x0F, qs >> 4], axis=-1), d, m


def q8_0_blocks(raw: np.ndarray, rows: int):
    """Q8_0 blocks of 34 bytes: f16 d, 32 int8; value = d*q."""
    b = raw.reshape(rows, -1, 34)
    d = b[..., 0:2].copy().view(np.float16)[..., 0].astype(np.float32)
    return b[..., 2:].copy().view(np.int8), d


def unpermute_rows(rows: np.ndarray, heads: int) -> np.ndarray:
    """Undo llama.cpp's Q/K row permutation so RoPE is the rotate-half kind."""
    n = rows.shape[0]
    return rows.reshape(heads, n // heads // 2, 2, *rows.shape[1:]).swapaxes(1, 2).reshape(rows.shape)


# --- graph building -----------------------------------------------------------------

class Graph:
    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def name(self, hint: str) -> str:
        self.count += 1
        return f"{hint}_{self.count}"

    def init(self, name: str, array: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(array, name))
        return name

    def const(self, values, dtype) -> str:
        return self.init(self.name("const"), np.array(values, dtype=dtype))

    def op(self, op_type: str, inputs, hint: str = "", domain: str = "", **attrs) -> str:
        out = self.name(hint or op_type.lower())
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], domain=domain, **attrs))
        return out

    def output(self, op_type: str, inputs, out: str, **attrs) -> str:
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], **attrs))
        return out


def matmul_q4_1(g: Graph, x: str, parts, k: int, name: str) -> list:
    """x @ W.T for Q4_1 matrices W [n, k] sharing the input x, as one MatMulNBits
    whose output is split back into `parts` ((raw, n, permute_heads) each). Q4_1 is
    d*q + m = d*(q - 8) + (8d + m): a symmetric 4-bit MatMulNBits (zero point 8,
    ONNX Runtime's fast path) plus a per-block offset applied to the block sums of
    x, which is exact."""
    qs, ds, ms = [], [], []
    for raw, n, heads in parts:
        q, d, m = q4_1_blocks(raw, n)
        if heads:
            q, d, m = (unpermute_rows(a, heads) for a in (q, d, m))
        qs.append(q), ds.append(d), ms.append(m)
    q, d, m = (np.concatenate(a) for a in (qs, ds, ms))
    n = q.shape[0]
    blob = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
    y = g.op("MatMulNBits", [x, g.init(f"{name}.q4", blob), g.init(f"{name}.scale", d.reshape(-1))],
             name, domain="com.microsoft", K=k, N=n, bits=4, block_size=BLOCK)
    sums = g.op("ReduceSum", [g.op("Reshape", [x, g.const([0, 0, k // BLOCK, BLOCK], np.int64)]), g.const([-1], np.int64)],
                keepdims=0)
    y = g.op("Add", [y, g.op("MatMul", [sums, g.init(f"{name}.offset", (8 * d + m).T.astype(np.float32).copy())])])
    if len(parts) == 1:
        return [y]
    sizes = g.const([n for _, n, _ in parts], np.int64)
    outs = [g.name(f"{name}.part") for _ in parts]
    g.nodes.append(helper.make_node("Split", [y, sizes], outs, axis=-1))
    return outs


def rms_norm(g: Graph, x: str, weight: np.ndarray, eps: float, name: str) -> str:
    # The Pow/ReduceMean/Add/Sqrt/Div/Mul shape ONNX Runtime fuses into one kernel.
    mean = g.op("ReduceMean", [g.op("Pow", [x, g.const(2.0, np.float32)])], axes=[-1], keepdims=1)
    normed = g.op("Div", [x, g.op("Sqrt", [g.op("Add", [mean, g.const(eps, np.float32)])])])
    return g.op("Mul", [normed, g.init(f"{name}.weight", weight.astype(np.float32))], name)


def convert(gguf_path: Path, out_dir: Path) -> None:
    r = GGUFReader(str(gguf_path))
    arch = field(r, "general.architecture")
    if arch != "llama":
        sys.exit(f"unsupported architecture {arch!r}: only llama")
    cfg = lambda k: field(r, f"llama.{k}")
    layers, dim, heads = cfg("block_count"), cfg("embedding_length"), cfg("attention.head_count")
    kv_heads, ffn = cfg("attention.head_count_kv"), cfg("feed_forward_length")
    eps, base = cfg("attention.layer_norm_rms_epsilon"), cfg("rope.freq_base")
    hd = dim // heads
    tensors = {t.name: t for t in r.tensors}
    vocab = int(tensors["token_embd.weight"].shape[1])

    def raw(name: str, kind: str) -> np.ndarray:
        t = tensors[name]
        if t.tensor_type.name != kind:
            sys.exit(f"{name} is {t.tensor_type.name}; this converter expects {kind}")
        return np.asarray(t.data)

    g = Graph()
    ids = "input_ids"
    # Token embedding, Q8_0, stored once as uint8 q + 128 for both uses.
    if "output.weight" in tensors:
        sys.exit("untied output.weight is not supported yet")
    emb_q, emb_d = q8_0_blocks(raw("token_embd.weight", "Q8_0"), vocab)
    emb_u8 = g.init("embed.q8", (emb_q.astype(np.int16) + 128).astype(np.uint8))
    emb_scale = g.init("embed.scale", emb_d.reshape(-1))
    rows = g.op("Cast", [g.op("Gather", [emb_u8, ids])], to=TensorProto.FLOAT)
    rows = g.op("Sub", [rows, g.const(128.0, np.float32)])
    scales = g.op("Gather", [g.op("Reshape", [emb_scale, g.const([vocab, dim // BLOCK], np.int64)]), ids])
    x = g.op("Reshape", [g.op("Mul", [rows, g.op("Unsqueeze", [scales, g.const([-1], np.int64)])]),
                         g.const([0, 0, dim], np.int64)], "embeddings")

    # RoPE tables for GroupQueryAttention's rotary: [context, head_dim / 2].
    context = cfg("context_length")
    inv_freq = 1.0 / base ** (np.arange(0, hd, 2, dtype=np.float64) / hd)
    angles = np.arange(context, dtype=np.float64)[:, None] * inv_freq[None, :]
    cos = g.init("rope.cos", np.cos(angles).astype(np.float32))
    sin = g.init("rope.sin", np.sin(angles).astype(np.float32))
    # GroupQueryAttention takes lengths, not a mask: sequences are right-aligned
    # without padding (one prompt, or beams of equal length).
    seqlens = g.op("Cast", [g.op("Sub", [g.op("ReduceSum", ["attention_mask", g.const([1], np.int64)], keepdims=0),
                                         g.const(1, np.int64)])], to=TensorProto.INT32)
    total = g.op("Cast", [g.op("Gather", [g.op("Shape", ["attention_mask"]), g.const(1, np.int64)])], to=TensorProto.INT32)

    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", s]) for n, s in
              [("input_ids", "sequence"), ("attention_mask", "total_sequence"), ("position_ids", "sequence")]]
    outputs = []
    cache_shape = ["batch", kv_heads, "past_sequence", hd]
    for i in range(layers):
        p = f"blk.{i}"
        h = rms_norm(g, x, np.asarray(tensors[f"{p}.attn_norm.weight"].data), eps, f"{p}.attn_norm")

        qkv = matmul_q4_1(g, h, [(raw(f"{p}.attn_q.weight", "Q4_1"), dim, heads),
                                 (raw(f"{p}.attn_k.weight", "Q4_1"), kv_heads * hd, kv_heads),
                                 (raw(f"{p}.attn_v.weight", "Q4_1"), kv_heads * hd, 0)], dim, f"{p}.attn_qkv")
        past = []
        for kind in ("key", "value"):
            name = f"past_key_values.{i}.{kind}"
            inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, cache_shape))
            outputs.append(helper.make_tensor_value_info(f"present.{i}.{kind}", TensorProto.FLOAT,
                                                         ["batch", kv_heads, "total_sequence", hd]))
            past.append(name)
        attn = g.name("attn")
        g.nodes.append(helper.make_node(
            "GroupQueryAttention", [*qkv, *past, seqlens, total, cos, sin], [attn, f"present.{i}.key", f"present.{i}.value"],
            domain="com.microsoft", num_heads=heads, kv_num_heads=kv_heads, do_rotary=1, rotary_interleaved=0))
        x = g.op("Add", [x, matmul_q4_1(g, attn, [(raw(f"{p}.attn_output.weight", "Q4_1"), dim, 0)], dim, f"{p}.attn_output")[0]])

        h = rms_norm(g, x, np.asarray(tensors[f"{p}.ffn_norm.weight"].data), eps, f"{p}.ffn_norm")
        gate, up = matmul_q4_1(g, h, [(raw(f"{p}.ffn_gate.weight", "Q4_1"), ffn, 0),
                                      (raw(f"{p}.ffn_up.weight", "Q4_1"), ffn, 0)], dim, f"{p}.ffn_gate_up")
        act = g.op("Mul", [g.op("Mul", [gate, g.op("Sigmoid", [gate])]), up])
        x = g.op("Add", [x, matmul_q4_1(g, act, [(raw(f"{p}.ffn_down.weight", "Q4_1"), dim, 0)], ffn, f"{p}.ffn_down")[0]])

    h = rms_norm(g, x, np.asarray(tensors["output_norm.weight"].data), eps, "output_norm")
    emb_blocks = g.op("Reshape", [emb_u8, g.const([vocab, dim // BLOCK, BLOCK], np.int64)])
    g.nodes.append(helper.make_node("MatMulNBits", [h, emb_blocks, emb_scale, g.init("embed.zero", np.full(vocab * dim // BLOCK, 128, np.uint8))],
                                    ["logits"], domain="com.microsoft", K=dim, N=vocab, bits=8, block_size=BLOCK,
                                    accuracy_level=ACCURACY))
    outputs.insert(0, helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "sequence", vocab]))

    graph = helper.make_graph(g.nodes, "decoder", inputs, outputs, g.inits)
    model = helper.make_model(graph, opset_imports=OPSET, ir_version=8, producer_name="scholia gguf_to_onnx")
    out_dir.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out_dir / "model.onnx"))
    write_tokenizer(r, out_dir)


# --- tokenizer and generation config -----------------------------------------------

def write_tokenizer(r: GGUFReader, out_dir: Path) -> None:
    if field(r, "tokenizer.ggml.model") != "gpt2":
        sys.exit("only byte-level BPE (tokenizer.ggml.model = gpt2) vocabularies are supported")
    tokens = field(r, "tokenizer.ggml.tokens")
    types = field(r, "tokenizer.ggml.token_type")
    merges = field(r, "tokenizer.ggml.merges")
    bos, eos = field(r, "tokenizer.ggml.bos_token_id"), field(r, "tokenizer.ggml.eos_token_id")
    control = [i for i, t in enumerate(types) if t in (3, 4)]  # CONTROL, USER_DEFINED
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    pre = field(r, "tokenizer.ggml.pre", "default")
    # llama.cpp's "smollm" pre-tokenizer splits digits one by one before the GPT-2 regex.
    pre_tokenizer = ({"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": True}, byte_level]}
                     if pre == "smollm" else byte_level)
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": i, "content": tokens[i], "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i in control],
        "normalizer": None,
        "pre_tokenizer": pre_tokenizer,
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": {t: i for i, t in enumerate(tokens)}, "merges": merges},
    }
    write_json(out_dir / "tokenizer.json", tokenizer)
    write_json(out_dir / "tokenizer_config.json", {
        "bos_token": tokens[bos], "eos_token": tokens[eos],
        "chat_template": field(r, "tokenizer.chat_template"),
        "add_bos_token": bool(field(r, "tokenizer.ggml.add_bos_token", False)),
    })
    write_json(out_dir / "generation_config.json", {"bos_token_id": bos, "eos_token_id": [eos]})


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    convert(Path(sys.argv[1]), Path(sys.argv[2]))
