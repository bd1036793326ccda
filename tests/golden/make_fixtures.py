"""Writes the tiny ONNX graphs the model tests load (needs the `onnx` package).

    python3 tests/golden/make_fixtures.py

wrong_inputs.onnx: an encoder-shaped graph whose input is `pixel_values`, so loading
it as an embedder must fail with a clear "unexpected inputs" error.
"""
from pathlib import Path

import onnx
from onnx import TensorProto, helper

HERE = Path(__file__).parent


def wrong_inputs() -> onnx.ModelProto:
    x = helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["b", "s", 4])
    y = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["b", "s", 4])
    graph = helper.make_graph([helper.make_node("Identity", ["pixel_values"], ["last_hidden_state"])], "wrong_inputs", [x], [y])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


if __name__ == "__main__":
    onnx.save(wrong_inputs(), HERE / "wrong_inputs.onnx")
