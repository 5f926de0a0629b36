# SPDX-License-Identifier: MIT
"""onnx_check.py — the Python side of tests/cli_onnx.sh (Debian's
python3-onnx and python3-numpy, run with /usr/bin/python3):

  check MODEL.onnx             onnx.checker (full check, shape inference) and
                               print the graph's inputs, outputs and metadata
  scale MODEL.onnx IN OUT      write IN (.npy) scaled as the model's
                               aekit.scaling says: (x - lo) / (hi - lo)
  compare REF OUT TOL          max |REF - OUT| over two .npy files; fails
                               above TOL or when their sizes differ
"""
import json
import sys

import numpy as np


def check(path):
    import onnx
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    def dims(v):
        return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
    g = model.graph
    print(f"{path}: ir {model.ir_version}, opset {model.opset_import[0].version}, "
          f"{len(g.node)} nodes, {len(g.initializer)} initializers")
    for v in g.input:
        print(f"  input {v.name} {dims(v)}")
    for v in g.output:
        print(f"  output {v.name} {dims(v)}")
    for p in model.metadata_props:
        print(f"  {p.key} = {p.value}")


def scale(path, src, dst):
    import onnx
    meta = {p.key: p.value for p in onnx.load(path).metadata_props}
    s = json.loads(meta["aekit.scaling"])
    x = np.load(src).astype(np.float64)
    np.save(dst, ((x - s["lo"]) / (s["hi"] - s["lo"])).astype(np.float32))


def compare(ref, out, tol):
    a, b = np.load(ref).astype(np.float64), np.load(out).astype(np.float64)
    if a.size != b.size:
        sys.exit(f"compare: {ref} has {a.size} values, {out} {b.size}")
    diff = float(np.max(np.abs(a.ravel() - b.ravel())))
    print(f"max |aekit - onnxruntime| {diff:.3g} over {a.shape[0]} samples")
    if not diff <= tol:
        sys.exit(f"compare: {out}: differs from {ref} by {diff:.3g} (tolerance {tol:g})")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "check":
        check(*args)
    elif cmd == "scale":
        scale(*args)
    elif cmd == "compare":
        compare(args[0], args[1], float(args[2]))
    else:
        sys.exit(f"onnx_check: unknown command {cmd}")
