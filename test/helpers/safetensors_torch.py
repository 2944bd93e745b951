"""
A second safetensors implementation for test/safetensors.test.ts, written from the format's
description with only struct, json and torch (the `safetensors` package is not installed here).

  python3 safetensors_torch.py read FILE    loads FILE into torch tensors, prints what it holds
  python3 safetensors_torch.py write FILE   writes fixed torch tensors the way the official
                                            library lays a file out, prints what it wrote

The printout is one JSON line: {"metadata": {...} | null, "tensors": [{"name", "dtype" (the
safetensors name), "torch" (the torch dtype), "shape", "values", "hex"}]}, tensors in file order.
int64 values are printed as strings, since JSON numbers lose them past 2**53.
"""
import json
import math
import struct
import sys

import torch

assert sys.byteorder == "little", "safetensors is little-endian, and this helper reads with the host's order"

TORCH = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}
NAME = {dtype: name for name, dtype in TORCH.items()}

# The official writer sorts tensors by its dtype enum, widest alignment first, then by name; the
# enum, narrowest first (only the dtypes torch 1.13 has are used below):
ENUM = ["BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ",
        "F8_E5M2FNUZ", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64", "F64", "I64", "U64"]


def raw(tensor):
    """The tensor's little-endian bytes, row-major."""
    return tensor.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()


def describe(name, tensor):
    values = tensor.reshape(-1).tolist()
    if tensor.dtype == torch.int64:
        values = [str(v) for v in values]
    return {"name": name, "dtype": NAME[tensor.dtype], "torch": str(tensor.dtype), "shape": list(tensor.shape),
            "values": values, "hex": raw(tensor).hex()}


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    assert (8 + n) % 8 == 0, f"the data buffer starts at {8 + n}, not 8-byte aligned as the official writer does"
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", None)
    entries = sorted(header.items(), key=lambda item: tuple(item[1]["data_offsets"]))
    end = 0
    tensors = []
    for name, info in entries:
        begin, stop = info["data_offsets"]
        assert begin == end, f"{name} begins at {begin}, the previous tensor ends at {end}"
        end = stop
        dtype = TORCH[info["dtype"]]
        shape = info["shape"]
        if math.prod(shape) == 0:
            tensor = torch.empty(shape, dtype=dtype)
        else:
            tensor = torch.frombuffer(bytearray(data[begin:stop]), dtype=dtype).reshape(shape)
        tensors.append(describe(name, tensor))
    assert end == len(data), f"the tensors end at {end}, the data buffer at {len(data)}"
    return {"metadata": metadata, "tensors": tensors}


def fixed_tensors():
    return {
        "embed.weight": torch.arange(12, dtype=torch.float32).reshape(3, 4) / 8 - 0.5,
        "aaa": torch.tensor([-0.0], dtype=torch.float32),
        "norm.bias": torch.tensor([1, -2, 0.5, 65504], dtype=torch.float16),
        "norm.weight": torch.tensor([[1, -3], [0.15625, 256]], dtype=torch.bfloat16),
        "head.weight": torch.tensor([math.pi, -1e-300], dtype=torch.float64),
        "step": torch.tensor(2**40 + 7, dtype=torch.int64),
        "big": torch.tensor([-(2**62) - 1, 2**63 - 1], dtype=torch.int64),
        "labels": torch.tensor([-1, 0, 2**31 - 1], dtype=torch.int32),
        "short": torch.tensor([-32768, 7], dtype=torch.int16),
        "signed": torch.tensor([-128, 127], dtype=torch.int8),
        "pixels": torch.tensor([[0, 1], [254, 255]], dtype=torch.uint8),
        "mask": torch.tensor([True, False, True]),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
    }


def write(path):
    tensors = fixed_tensors()
    metadata = {"format": "pt", "note": "caf\u00e9 \u2713"}
    order = sorted(tensors, key=lambda name: (-ENUM.index(NAME[tensors[name].dtype]), name))
    # __metadata__ first; the official writer's metadata is a hash map (any key order), sorted here.
    header = {"__metadata__": dict(sorted(metadata.items()))}
    offset = 0
    for name in order:
        size = len(raw(tensors[name]))
        header[name] = {"dtype": NAME[tensors[name].dtype], "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name in order:
            f.write(raw(tensors[name]))
    return {"metadata": metadata, "tensors": [describe(name, tensors[name]) for name in order]}


if __name__ == "__main__":
    command, path = sys.argv[1], sys.argv[2]
    print(json.dumps(read(path) if command == "read" else write(path)))
