#!/usr/bin/python3
"""PyTorch checkpoint files written by torch.save, for test/torch-read.test.ts and test/torch-hostile.test.ts.

  /usr/bin/python3 scripts/torch_files.py

writes test/fixtures/torch-files/: for every case, `<case>.zip.pt` (torch.save's default zip
serialisation) and `<case>.legacy.pt` (`_use_new_zipfile_serialization=False`, pickle protocol 2,
as the reference implementation's State.save writes it); the reference checkpoint also with pickle
protocols 4 and 5; one zip file rewritten in zip64 form (checked to load back in torch); a whole
nn.Module saved both ways (`module.*.pt`, which a reader must refuse); and expected.json: every case's value as torch.load gives it back, tagged by Python type (floats as
the hex of their IEEE bits, ints as decimal strings, tensors with dtype, shape, strides, offset,
storage identity and their values as float32 bits and as exact numbers), so the test can compare
exactly. Every file is loaded back with torch.load and compared with the object saved.
The legacy files differ from run to run: their storage keys are memory addresses.
"""
import collections
import io
import json
import os
import struct
import sys
import warnings
import zipfile

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch-files")


# --- the cases -----------------------------------------------------------------------------------

def small_sequential():
    """Conv2d, BatchNorm2d (running stats moved by two batches in train mode), Linear."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3),
        torch.nn.BatchNorm2d(2),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(8, 3),
    )
    model.train()
    for _ in range(2):
        model(torch.randn(4, 1, 4, 4))
    return model


def train_two_steps(model, optimizer):
    torch.manual_seed(1)
    for _ in range(2):
        optimizer.zero_grad()
        model(torch.randn(4, 1, 4, 4)).square().mean().backward()
        optimizer.step()


def case_sequential():
    return small_sequential().state_dict()


def case_views():
    """Views of one storage: a transpose (non-contiguous), a row, a narrowed slice, an expanded (stride 0) view."""
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 8
    other = torch.tensor([1.5, -2.25, 3.0])
    return {
        "base": base,
        "transposed": base.t(),
        "row": base[1],
        "columns": base[:, 1:3],
        "every_other": base.flatten()[1::2],
        "expanded": other[1:2].expand(4),
        "other": other,
        "scalar": torch.tensor(0.125),
    }


def case_dtypes():
    """Every storage type the reader knows, with edge values, and empty tensors."""
    special = [0.0, -0.0, 1.0, -2.5, 65504.0, 6.1e-05, 6e-08, float("inf"), float("-inf"), 1 / 3]
    return {
        "float64": torch.tensor([1 / 3, -1e300, 2.0**-1074, 0.1, -0.0], dtype=torch.float64),
        "float64_2d": torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64).t(),
        "float16": torch.tensor(special, dtype=torch.float16),
        "bfloat16": torch.tensor(special + [3.0e38, 1e-40], dtype=torch.bfloat16),
        "int64": torch.tensor([0, -1, 2**62, -(2**63), 2**63 - 1, 9007199254740993], dtype=torch.int64),
        "int32": torch.tensor([-(2**31), 2**31 - 1, 7], dtype=torch.int32),
        "int16": torch.tensor([-(2**15), 2**15 - 1], dtype=torch.int16),
        "int8": torch.tensor([-128, 127, 0], dtype=torch.int8),
        "uint8": torch.tensor([0, 255, 17], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "empty": torch.zeros(0),
        "empty_2d": torch.zeros(2, 0, dtype=torch.int64),
        "num_batches_tracked": torch.tensor(2, dtype=torch.int64),
        "parameter": torch.nn.Parameter(torch.tensor([[0.5, -0.5]])),
    }


def case_optimizers():
    """SGD with momentum and Adam, each after two steps on the small Sequential."""
    out = {}
    for name, make in (
        ("sgd", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-4)),
        ("adam", lambda p: torch.optim.Adam(p, lr=1e-3, betas=(0.9, 0.99))),
    ):
        model = small_sequential()
        optimizer = make(model.parameters())
        train_two_steps(model, optimizer)
        out[name] = optimizer.state_dict()
    return out


def case_schedulers():
    out = {}
    for name, make in (
        ("step", lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5)),
        ("multistep", lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[1, 3, 3], gamma=0.1)),
        ("cosine", lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=1e-5)),
    ):
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        scheduler = make(optimizer)
        for _ in range(3):
            optimizer.step()
            scheduler.step()
        out[name] = scheduler.state_dict()
    return out


class SimpleNet(torch.nn.Module):
    """A model in the reference implementation's style: hyper-parameters kept as attributes."""

    def __init__(self, N_class, resolution, include_bias=True, **kwargs):
        super().__init__()
        self.N_class = N_class
        self.resolution = resolution
        self.include_bias = include_bias
        self.kwargs = kwargs
        self.conv = torch.nn.Conv2d(resolution[0], 2, 3, bias=include_bias)
        self.bn = torch.nn.BatchNorm2d(2)
        self.fc = torch.nn.Linear(2 * (resolution[1] - 2) * (resolution[2] - 2), N_class, bias=include_bias)

    def forward(self, x):
        return self.fc(torch.relu(self.bn(self.conv(x))).flatten(1))


def reference_checkpoint(model, optimizer, scheduler, epoch):
    """The dict the reference implementation's State.save hands to torch.save, built as it builds it."""
    arguments = dict(
        (key, getattr(model, key))
        for key in dir(model)
        if not callable(getattr(model, key)) and not key.startswith("_") and not key == "kwargs" and not key == "T_destination"
    )
    return {
        "model": model.state_dict(),
        "model_class": model.__class__.__name__,
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "epoch": epoch,
        "arguments": arguments,
        "kwargs": getattr(model, "kwargs", None),
    }


def case_reference():
    torch.manual_seed(2)
    model = SimpleNet(
        10,
        [1, 6, 6],
        include_bias=True,
        clamp=True,
        whiten={"mean": [0.5], "std": (0.25,)},
        notes=None,
        big=2**70,
        negative=-3,
        ratio=0.1,
        name="fashion-mnist",
        blob=b"\x00\xff",
        device=torch.device("cpu"),
        milestones=(1, (2, 3), []),
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(2):
        optimizer.zero_grad()
        model(torch.randn(2, 1, 6, 6)).square().mean().backward()
        optimizer.step()
    return reference_checkpoint(model, optimizer, None, 3)


CASES = {
    "sequential": case_sequential,
    "views": case_views,
    "dtypes": case_dtypes,
    "optimizers": case_optimizers,
    "schedulers": case_schedulers,
    "reference": case_reference,
}

# (case, serialisation, pickle protocol): the reference checkpoint also at protocols 4 and 5.
FILES = [(case, form, 2) for case in CASES for form in ("zip", "legacy")] + [
    ("reference", form, protocol) for form in ("zip", "legacy") for protocol in (4, 5)
]


def file_name(case, form, protocol):
    return f"{case}.{form}{'' if protocol == 2 else f'-p{protocol}'}.pt"


# --- tagging values for the JSON -----------------------------------------------------------------

class Tagger:
    """Python values as JSON a test can compare exactly; storages numbered in order of first appearance."""

    def __init__(self):
        self.storages = {}

    def tag(self, value):
        if value is None:
            return None
        if isinstance(value, bool):
            return {"bool": value}
        if isinstance(value, int):
            return {"int": str(value)}
        if isinstance(value, float):
            return {"float": struct.pack(">d", value).hex()}
        if isinstance(value, str):
            return {"str": value}
        if isinstance(value, bytes):
            return {"bytes": value.hex()}
        if isinstance(value, torch.device):
            return {"device": str(value)}
        if isinstance(value, torch.Tensor):
            return {"tensor": self.tensor(value)}
        if isinstance(value, tuple):
            return {"tuple": [self.tag(v) for v in value]}
        if isinstance(value, list):
            return {"list": [self.tag(v) for v in value]}
        if isinstance(value, dict):
            out = {"dict": [[self.tag(k), self.tag(v)] for k, v in value.items()]}
            attributes = getattr(value, "__dict__", {})
            if attributes:
                out["attributes"] = [[k, self.tag(v)] for k, v in attributes.items()]
            return out
        raise TypeError(f"no tag for {type(value)}")

    def tensor(self, t):
        storage = t.storage()
        identity = storage._storage._cdata
        index = self.storages.setdefault(identity, len(self.storages))
        out = {
            "dtype": str(t.dtype).replace("torch.", ""),
            "shape": list(t.shape),
            "stride": list(t.stride()),
            "offset": t.storage_offset(),
            "requiresGrad": t.requires_grad,
            "storage": index,
            "storageSize": storage.size(),
        }
        flat = t.detach().flatten()
        if t.is_floating_point():
            bits = flat.float().contiguous().view(torch.int32).tolist()
            out["float32"] = ["%08x" % (b & 0xFFFFFFFF) for b in bits]
            if t.dtype == torch.float64:
                out["float64"] = [struct.pack(">d", v).hex() for v in flat.tolist()]
        else:
            out["ints"] = [str(int(v)) for v in flat.tolist()]
        return out


def tagged(value):
    return Tagger().tag(value)


# --- zip64 ---------------------------------------------------------------------------------------

def zip64_form(data):
    """The same records as a zip64 archive: 64-bit sizes and offsets in zip64 extra fields, a zip64 end record and locator."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    central = []
    for info in source.infolist():
        assert info.compress_type == zipfile.ZIP_STORED
        body = source.read(info.filename)
        name = info.filename.encode("utf-8")
        offset = out.tell()
        extra = struct.pack("<HHQQ", 1, 16, len(body), len(body))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0x0800, 0, 0, 0x21, info.CRC, 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra)))
        out.write(name + extra + body)
        central.append((name, info.CRC, len(body), offset))
    cd_offset = out.tell()
    for name, crc, size, offset in central:
        extra = struct.pack("<HHQQQ", 1, 24, size, size, offset)
        out.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0x0800, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra), 0, 0, 0, 0, 0xFFFFFFFF))
        out.write(name + extra)
    cd_size = out.tell() - cd_offset
    end64 = out.tell()
    out.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, len(central), len(central), cd_size, cd_offset))
    out.write(struct.pack("<IIQI", 0x07064B50, 0, end64, 1))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
    result = out.getvalue()
    assert zipfile.ZipFile(io.BytesIO(result)).testzip() is None
    return result


# --- writing -------------------------------------------------------------------------------------

def save_bytes(value, form, protocol):
    buffer = io.BytesIO()
    torch.save(value, buffer, pickle_protocol=protocol, _use_new_zipfile_serialization=form == "zip")
    return buffer.getvalue()


def save_module(module, form):
    """torch.save of a module; the legacy format would embed the class's source file path and text, which are left out."""
    def no_source(obj):
        raise OSError("source left out")

    original = torch.serialization.get_source_lines_and_file
    torch.serialization.get_source_lines_and_file = no_source
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return save_bytes(module, form, 2)
    finally:
        torch.serialization.get_source_lines_and_file = original


def check_loads(data, expected, what):
    got = tagged(torch.load(io.BytesIO(data)))
    if got != expected:
        sys.exit(f"{what}: torch.load does not give back the object saved")


def main():
    os.makedirs(OUT, exist_ok=True)
    values = {case: make() for case, make in CASES.items()}
    expected = {case: tagged(value) for case, value in values.items()}
    files = {}
    for case, form, protocol in FILES:
        name = file_name(case, form, protocol)
        data = save_bytes(values[case], form, protocol)
        check_loads(data, expected[case], name)
        files[name] = {"case": case, "format": form, "protocol": protocol}
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    zip64 = zip64_form(save_bytes(values["sequential"], "zip", 2))
    check_loads(zip64, expected["sequential"], "sequential.zip64.pt")
    files["sequential.zip64.pt"] = {"case": "sequential", "format": "zip", "protocol": 2}
    with open(os.path.join(OUT, "sequential.zip64.pt"), "wb") as f:
        f.write(zip64)
    refused = {}
    for form in ("zip", "legacy"):
        # A whole pickled module: loading it means importing and constructing its class.
        name = f"module.{form}.pt"
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(save_module(torch.nn.Linear(2, 1), form))
        refused[name] = {"format": form, "global": "torch.nn.modules.linear.Linear"}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"torch": torch.__version__, "files": files, "refused": refused, "cases": expected}, f, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
