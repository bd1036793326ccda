"""One ONNX graph averaging the SUPPORT/CONTRADICT/NEI probabilities of several verify models.

The members share the inputs. Each member's logits go through a softmax, the probabilities are
averaged, and the graph's output `logits` is their log: a softmax over it (what scholia does
with any classifier's logits) gives back the average, so the runtime needs no change.
"""
import onnx
from onnx import TensorProto, compose, helper


def average(out_path, member_paths):
    """Writes to out_path the mean-probability ensemble of the models at member_paths."""
    members = [onnx.load(p) for p in member_paths]
    nodes, initializers, value_info, probs = [], [], [], []
    for n, member in enumerate(members):
        # Every name but the shared inputs gets the member's prefix, so the graphs can merge.
        graph = compose.add_prefix(member, f"m{n}_", rename_inputs=False, rename_outputs=True).graph
        nodes += graph.node
        initializers += graph.initializer
        value_info += graph.value_info
        probs.append(f"m{n}_probs")
        nodes.append(helper.make_node("Softmax", [f"m{n}_logits"], [probs[-1]], axis=-1))
    scale = helper.make_tensor("inv_members", TensorProto.FLOAT, [], [1.0 / len(members)])
    nodes += [helper.make_node("Sum", probs, ["sum_probs"]),
              helper.make_node("Mul", ["sum_probs", "inv_members"], ["mean_probs"]),
              helper.make_node("Log", ["mean_probs"], ["logits"])]
    output = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3])
    graph = helper.make_graph(nodes, "verify-ensemble", list(members[0].graph.input), [output],
                              initializer=[*initializers, scale], value_info=value_info)
    model = helper.make_model(graph, opset_imports=members[0].opset_import)
    model.ir_version = members[0].ir_version
    onnx.checker.check_model(model)
    onnx.save(model, out_path)
