#!/usr/bin/python3
"""Writes test/fixtures/reference-checkpoints/: PyTorch checkpoints made by running the reference
implementation itself (README.md names it), for testing archbundle's importer.

Every case builds one of the reference implementation's models (SimpleNet, ResNet, WideResNet) with
tiny sizes, gives it non-trivial batch-norm statistics and normalization parameters, optionally trains
it for two steps (SGD or Adam, one case with a StepLR scheduler) and saves it with the reference
implementation's own `common.state.State.checkpoint` (the legacy, non-zip serialisation). Beside
`<case>.pth` goes `<case>.json`: the constructor call, the `arguments` and `kwargs` State.save stored,
the state_dict keys with shapes, the parameter order (the optimizer state's indices), the pickle
globals of the file, a fixed input batch and the logits the reference model computes in evaluation
mode. A few cases also get a zip-serialisation copy of the same checkpoint dict (`<case>.zip.pth`)
and plain state_dict files in both serialisations (`<case>.state_dict.pth`, zip;
`<case>.state_dict.legacy.pth`, legacy). The folder's README.md is written as well.

The reference implementation is not part of this repository (never commit its code here). Get
it by cloning its public repository and point --reference at its 002-loading-models folder:

  git clone https://github.com/davidstutz/pytorch-adversarial-examples-training-articles reference
  /usr/bin/python3 scripts/reference_checkpoints.py --reference reference/002-loading-models

The commit recorded in the README is `git -C <--reference> rev-parse HEAD` (or --commit, for a
folder that is not in a git checkout).

Needs Debian's python3-torch and python3-packaging (the reference implementation's common/state.py
imports packaging.version). The logits are reproducible; the legacy files' bytes are not (the legacy
serialisation names storages by their memory address).
"""
import argparse
import contextlib
import io
import json
import os
import pickletools
import subprocess
import sys
import zipfile
import zlib

import torch

SEED = 20240601

# name -> (class, constructor kwargs, options). Options: optimizer ('SGD', 'Adam' or None), scheduler
# (StepLR or not), copies (zip copy and plain state_dict files), whiten (per-channel (std, mean)).
# Sizes keep the reference implementation's group-norm rule working: a normalized layer with P
# channels gets min(32, P // 2) groups (then 24, 16), which must divide P; so every normalized width
# is even or at most 3 (the rule runs for every normalization, not just 'gn').
CIFAR_WHITEN = ([0.2470, 0.2435, 0.2616], [0.4914, 0.4822, 0.4465])
CASES = {
    "simplenet-16-bn-relu": (
        "SimpleNet", {"N_class": 10, "resolution": [1, 16, 16], "channels": 2, "normalization": "bn",
                      "activation": "relu"},
        {"optimizer": "SGD"}),
    "simplenet-32-gn-tanh-noclamp": (
        "SimpleNet", {"N_class": 10, "resolution": [1, 32, 32], "channels": 2, "normalization": "gn",
                      "activation": "tanh", "clamp": False},
        {}),
    "simplenet-16-none-nobias": (
        "SimpleNet", {"N_class": 10, "resolution": [1, 16, 16], "channels": 2, "normalization": "",
                      "activation": "relu", "clamp": True, "bias": False},
        {}),
    "simplenet-16-bn-whiten-dropout": (
        "SimpleNet", {"N_class": 10, "resolution": [3, 16, 16], "channels": 2, "normalization": "bn",
                      "activation": "tanh", "dropout": True, "whiten": True},
        {"optimizer": "SGD", "scheduler": True, "whiten": CIFAR_WHITEN}),
    "resnet-basic-bn": (
        "ResNet", {"N_class": 10, "resolution": [3, 8, 8], "blocks": [2, 1], "block": "", "channels": 4,
                   "normalization": "bn", "clamp": True},
        {"optimizer": "SGD", "copies": True}),
    "resnet-basic-gn-noclamp": (
        "ResNet", {"N_class": 10, "resolution": [1, 8, 8], "blocks": [1, 1], "block": "", "channels": 4,
                   "normalization": "gn", "clamp": False},
        {"optimizer": "Adam"}),
    "resnet-basic-none-nobias": (
        "ResNet", {"N_class": 10, "resolution": [3, 8, 8], "blocks": [1, 1], "block": "", "channels": 4,
                   "normalization": "", "bias": False},
        {}),
    "resnet-basic-gn-whiten": (
        "ResNet", {"N_class": 10, "resolution": [3, 8, 8], "blocks": [2, 1], "block": "", "channels": 6,
                   "normalization": "gn", "whiten": True, "clamp": True},
        {"whiten": CIFAR_WHITEN}),
    "resnet-2class": (
        "ResNet", {"N_class": 2, "resolution": [3, 8, 8], "blocks": [1, 1], "block": "", "channels": 4,
                   "normalization": "bn"},
        {"optimizer": "SGD"}),
    "resnet-bottleneck-bn-whiten-noclamp": (
        "ResNet", {"N_class": 10, "resolution": [3, 8, 8], "blocks": [1, 1], "block": "bottleneck",
                   "channels": 4, "normalization": "bn", "whiten": True, "clamp": False},
        {"optimizer": "Adam", "whiten": ([0.3, 0.2, 0.25], [0.5, 0.4, 0.45])}),
    "resnet-bottleneck-gn": (
        "ResNet", {"N_class": 10, "resolution": [1, 8, 8], "blocks": [2, 1], "block": "bottleneck",
                   "channels": 4, "normalization": "gn"},
        {"optimizer": "SGD"}),
    "resnet-bottleneck-none-nobias": (
        "ResNet", {"N_class": 10, "resolution": [3, 8, 8], "blocks": [1, 1], "block": "bottleneck",
                   "channels": 4, "normalization": "", "bias": False, "clamp": True},
        {"copies": True}),
    "wideresnet-bn": (
        "WideResNet", {"N_class": 10, "resolution": [3, 8, 8], "depth": 10, "width": 1, "channels": 4,
                       "normalization": "bn"},
        {"optimizer": "SGD"}),
    "wideresnet-gn-dropout-noclamp": (
        "WideResNet", {"N_class": 10, "resolution": [1, 8, 8], "depth": 10, "width": 1, "channels": 4,
                       "normalization": "gn", "dropout": True, "clamp": False},
        {"optimizer": "SGD"}),
    "wideresnet-none-nobias": (
        "WideResNet", {"N_class": 10, "resolution": [3, 8, 8], "depth": 10, "width": 2, "channels": 4,
                       "normalization": "", "bias": False, "clamp": True},
        {}),
    "wideresnet-bn-whiten-dropout": (
        "WideResNet", {"N_class": 10, "resolution": [3, 8, 8], "depth": 10, "width": 1, "channels": 4,
                       "normalization": "bn", "dropout": True, "whiten": True, "clamp": False},
        {"optimizer": "SGD", "whiten": CIFAR_WHITEN}),
}

# Input batches: 3 samples (2 at 32x32, to keep the JSON small), values k/32 in [-0.1875, 1.1875] (short
# decimals, exact in float32; below 0 and above 1, so clamping matters).
INPUT_SAMPLES = 3
INPUT_SAMPLES_LARGE = 2
TRAIN_BATCH = 4
TRAIN_STEPS = 2


def floats(t):
    # float32 -> Python float (float64) is exact, and json writes the shortest repr that round-trips.
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def dumps(fixture):
    """One top-level key a line (lists of keys one entry a line), compact otherwise."""
    def compact(v):
        return json.dumps(v, separators=(",", ":"))
    lines = []
    for key, value in fixture.items():
        if key in ("stateDictKeys", "parameterKeys") and value:
            inner = ",\n  ".join(compact(v) for v in value)
            lines.append("%s: [\n  %s\n ]" % (compact(key), inner))
        else:
            lines.append("%s: %s" % (compact(key), compact(value)))
    return "{\n " + ",\n ".join(lines) + "\n}\n"


def jsonify(value):
    """Python values (as State.save stored them) to JSON: tuples become lists."""
    if isinstance(value, dict):
        return {str(k): jsonify(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonify(v) for v in value]
    if isinstance(value, torch.Tensor):
        return {"tensor": list(value.shape), "dtype": str(value.dtype).replace("torch.", "")}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


@contextlib.contextmanager
def include_rescale_workaround(classifier_class, needed):
    """The reference implementation's Classifier.__init__ evaluates
    `assert not (self.include_whiten and self.include_rescale)` but never defines include_rescale,
    so whiten=True raises AttributeError. For the whitening cases only, define it as a class
    attribute (False, which is what the assertion needs) while the model is built, saved and
    reloaded. Side effect: State.save collects `arguments` from dir(model), which lists class
    attributes, so those cases' arguments gain "include_rescale": false (as a checkpoint of a
    version of the reference implementation that defined it would have)."""
    if not needed:
        yield
        return
    assert not hasattr(classifier_class, "include_rescale")
    classifier_class.include_rescale = False
    try:
        yield
    finally:
        del classifier_class.include_rescale


def randomize(model, generator, whiten):
    """Non-identity normalization parameters and statistics, non-zero biases, the whitening layer's
    std (weight) and mean (bias)."""
    def normal(t, std, mean=0.0):
        t.copy_(torch.randn(t.shape, generator=generator) * std + mean)

    def uniform(t, low, high):
        t.copy_(torch.rand(t.shape, generator=generator) * (high - low) + low)

    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (torch.nn.BatchNorm2d, torch.nn.GroupNorm)) and module.weight is not None:
                uniform(module.weight, 0.5, 1.5)
                normal(module.bias, 0.2)
            if isinstance(module, torch.nn.BatchNorm2d):
                normal(module.running_mean, 0.2)
                uniform(module.running_var, 0.5, 2.0)
            if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)) and module.bias is not None:
                normal(module.bias, 0.1)
        if whiten is not None:
            std, mean = whiten
            model.whiten.weight.copy_(torch.tensor(std))
            model.whiten.bias.copy_(torch.tensor(mean))


def train(model, options, generator, n_class):
    """Two training steps (or, without an optimizer, three training-mode forward passes that move the
    batch-norm statistics and count num_batches_tracked). Returns optimizer and scheduler."""
    resolution = model.resolution
    model.train()
    optimizer = scheduler = None
    if options.get("optimizer") == "SGD":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    elif options.get("optimizer") == "Adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-4)
    if options.get("scheduler"):
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    steps = TRAIN_STEPS if optimizer is not None else 3
    for _ in range(steps):
        x = torch.rand(TRAIN_BATCH, *resolution, generator=generator) * 1.4 - 0.2
        y = torch.randint(0, n_class, (TRAIN_BATCH,), generator=generator)
        if optimizer is None:
            with torch.no_grad():
                model(x)
            continue
        optimizer.zero_grad()
        out = model(x)
        if out.shape[1] == 1:
            loss = torch.nn.functional.binary_cross_entropy_with_logits(out[:, 0], y.float())
        else:
            loss = torch.nn.functional.cross_entropy(out, y)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
    return optimizer, scheduler


def pickle_globals(stream):
    """GLOBAL names of the one pickle at the stream's position; leaves the stream after its STOP."""
    names = set()
    for opcode, arg, _ in pickletools.genops(stream):
        if opcode.name == "GLOBAL":
            names.add(arg.replace(" ", "."))
        elif opcode.name == "STACK_GLOBAL":
            raise ValueError("STACK_GLOBAL (protocol 4+) not expected")
    return names


def legacy_globals(path):
    """The legacy file is five pickles (magic number, protocol version, sys_info, the object,
    the storage keys) and then the raw storages. Returns the object pickle's GLOBAL names and
    checks that the others have none."""
    with open(path, "rb") as f:
        data = f.read()
    stream = io.BytesIO(data)
    parts = [pickle_globals(stream) for _ in range(5)]
    assert not (parts[0] | parts[1] | parts[2] | parts[4]), parts
    return sorted(parts[3])


def zip_globals(path):
    with zipfile.ZipFile(path) as archive:
        pickles = [n for n in archive.namelist() if n.endswith("/data.pkl")]
        assert len(pickles) == 1, archive.namelist()
        return sorted(pickle_globals(io.BytesIO(archive.read(pickles[0]))))


def tensors_equal(a, b):
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(tensors_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) == type(b) and len(a) == len(b) and all(tensors_equal(x, y) for x, y in zip(a, b))
    return a == b


def optimizer_summary(state):
    if state is None:
        return None
    return {
        "param_groups": jsonify(state["param_groups"]),
        "state": {str(k): {name: jsonify(v) for name, v in s.items()} for k, s in state["state"].items()},
    }


def make_case(name, class_name, reference, options, out_dir, models, state_module):
    seed = SEED + zlib.crc32(name.encode())
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model_class = getattr(models, class_name)
    whiten = options.get("whiten")
    files = {"legacy": name + ".pth"}
    with include_rescale_workaround(models.classifier.Classifier, reference.get("whiten", False)):
        model = model_class(**reference)
        randomize(model, generator, whiten)
        optimizer, scheduler = train(model, options, generator, reference["N_class"])
        epoch = None
        if optimizer is None:
            # Saved in evaluation mode (arguments["training"] is False); trained cases are saved in
            # training mode, as during training.
            model.eval()
        else:
            epoch = 1
        path = os.path.join(out_dir, files["legacy"])
        state_module.State.checkpoint(path, model, optimizer, scheduler, epoch)

        model.eval()
        resolution = reference["resolution"]
        samples = INPUT_SAMPLES_LARGE if resolution[1] * resolution[2] >= 1024 else INPUT_SAMPLES
        x = torch.randint(-6, 39, (samples, *resolution), generator=generator).float() / 32
        with torch.no_grad():
            logits = model(x)

        # What State.save stored, read back; and the reference implementation's own State.load must
        # rebuild a model that computes the same logits.
        saved = torch.load(path)
        loaded = state_module.State.load(path)
        loaded.model.eval()
        with torch.no_grad():
            assert torch.equal(loaded.model(x), logits), name

    assert tensors_equal(saved["model"], model.state_dict()), name
    if options.get("copies"):
        files["zip"] = name + ".zip.pth"
        torch.save(saved, os.path.join(out_dir, files["zip"]))
        assert tensors_equal(torch.load(os.path.join(out_dir, files["zip"])), saved), name
        files["stateDict"] = {"zip": name + ".state_dict.pth", "legacy": name + ".state_dict.legacy.pth"}
        torch.save(model.state_dict(), os.path.join(out_dir, files["stateDict"]["zip"]))
        torch.save(model.state_dict(), os.path.join(out_dir, files["stateDict"]["legacy"]),
                   _use_new_zipfile_serialization=False)
        for f in files["stateDict"].values():
            assert tensors_equal(torch.load(os.path.join(out_dir, f)), model.state_dict()), name

    globals_ = {"legacy": legacy_globals(path)}
    if "zip" in files:
        globals_["zip"] = zip_globals(os.path.join(out_dir, files["zip"]))
        globals_["stateDict"] = {"zip": zip_globals(os.path.join(out_dir, files["stateDict"]["zip"])),
                                 "legacy": legacy_globals(os.path.join(out_dir, files["stateDict"]["legacy"]))}

    notes = []
    if reference.get("whiten"):
        notes.append("built with the include_rescale workaround (class attribute "
                     "Classifier.include_rescale = False), so arguments has include_rescale")
    if reference["N_class"] == 2 and class_name != "SimpleNet":
        notes.append("N_class == 2: the reference implementation's logits layer has 1 output")

    fixture = {
        "class": class_name,
        "reference": jsonify(reference),
        "model_class": saved["model_class"],
        "arguments": jsonify(saved["arguments"]),
        "kwargs": jsonify(saved["kwargs"]),
        "epoch": saved["epoch"],
        "torch": torch.__version__,
        "stateDictKeys": [{"key": k, "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", "")}
                          for k, t in saved["model"].items()],
        "parameterKeys": [k for k, _ in model.named_parameters()],
        "frozenParameterKeys": [k for k, p in model.named_parameters() if not p.requires_grad],
        "optimizer": type(optimizer).__name__ if optimizer is not None else None,
        "optimizerState": optimizer_summary(saved["optimizer"]),
        "scheduler": type(scheduler).__name__ if scheduler is not None else None,
        "schedulerState": jsonify(saved["scheduler"]),
        "pickleGlobals": globals_,
        "notes": notes,
        "input": {"shape": list(x.shape), "values": floats(x)},
        "logits": {"shape": list(logits.shape), "values": floats(logits)},
        "files": files,
    }
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        f.write(dumps(fixture))
    return fixture, sum(p.numel() for p in model.parameters())


def describe(class_name, reference, options):
    parts = []
    if class_name == "SimpleNet":
        parts.append("%s, channels %d, %s" % ("x".join(map(str, reference["resolution"])), reference["channels"],
                                              reference["activation"]))
    elif class_name == "ResNet":
        parts.append("%s, %s blocks %s, channels %d" % ("x".join(map(str, reference["resolution"])),
                                                       reference["block"] or "basic", reference["blocks"],
                                                       reference["channels"]))
    else:
        parts.append("%s, depth %d, width %d, channels %d" % ("x".join(map(str, reference["resolution"])),
                                                             reference["depth"], reference["width"],
                                                             reference["channels"]))
    parts.append("norm %s" % (reference["normalization"] or "none"))
    parts.append("clamp" if reference.get("clamp", True) else "no clamp")
    if not reference.get("bias", True):
        parts.append("no bias")
    if reference.get("whiten"):
        parts.append("whiten")
    if reference.get("dropout"):
        parts.append("dropout")
    if reference["N_class"] != 10:
        parts.append("N_class %d" % reference["N_class"])
    opt = options.get("optimizer") or "-"
    if options.get("scheduler"):
        opt += " + StepLR"
    return "; ".join(parts), opt


def write_readme(out_dir, commit, fixtures):
    lines = [
        "# Reference checkpoints",
        "",
        "PyTorch checkpoints written by the reference implementation itself (the README at the",
        "repository root names it): its models built with tiny sizes and saved with its own",
        "`common.state.State.checkpoint` (legacy, non-zip serialisation, pickle protocol 2), for",
        "testing archbundle's importer. Made with",
        "",
        "```",
        "/usr/bin/python3 scripts/reference_checkpoints.py --reference <checkout>/002-loading-models",
        "```",
        "",
        "where `<checkout>` is a clone of the reference implementation's public repository",
        "(davidstutz/pytorch-adversarial-examples-training-articles on GitHub; see the script's",
        "docstring).",
        "",
        "- torch: %s (Debian's python3-torch), Python %d.%d" % (torch.__version__, sys.version_info[0],
                                                              sys.version_info[1]),
        "- the reference implementation's commit: %s" % commit,
        "",
        "Per case `<case>`:",
        "",
        "- `<case>.pth`: the checkpoint as State.save writes it, a dict with `model` (state_dict),",
        "  `model_class`, `optimizer` (state_dict or None), `scheduler` (state_dict or None), `epoch`,",
        "  `arguments` and `kwargs`;",
        "- `<case>.json`: the constructor call (`reference`), what State.save stored in `arguments` and",
        "  `kwargs`, the state_dict keys with shapes and dtypes in order, `parameterKeys` (the order of",
        "  `model.parameters()`, which the optimizer state's integer keys index), a summary of the",
        "  optimizer and scheduler state, the file's pickle globals, a fixed input batch (values k/32",
        "  in [-0.1875, 1.1875], so clamping matters) and the logits of the reference model in",
        "  evaluation mode (float32 values written as exact decimals);",
        "- for a few cases also `<case>.zip.pth` (the same checkpoint dict, zip serialisation) and the",
        "  bare state_dict as `<case>.state_dict.pth` (zip) and `<case>.state_dict.legacy.pth` (legacy).",
        "",
        "Every batch-norm and group-norm layer has random affine parameters, batch-norm layers random",
        "running statistics (then moved by training-mode passes), convolution and dense biases are",
        "random, so the logits test the whole mapping. Trained cases ran two steps (SGD: momentum 0.9,",
        "weight decay 5e-4; Adam: weight decay 1e-4) and were saved in training mode with epoch 1;",
        "the others ran three training-mode forward passes and were saved in evaluation mode",
        "(`arguments.training` is false) with epoch None. The script checks that the reference",
        "implementation's `State.load` rebuilds each model with the same logits.",
        "",
        "Whitening: the reference implementation's Classifier raises AttributeError for whiten=True",
        "(it reads `self.include_rescale`, never defined). The whitening cases were built with",
        "`Classifier.include_rescale = False` set as a class attribute, so their `arguments` (taken",
        "from `dir(model)`) contain `include_rescale: false`; the other cases' do not.",
        "",
        "Regenerating gives the same JSON and zip files, but not the same legacy bytes: the legacy",
        "serialisation names storages by their memory address. The script needs Debian's",
        "python3-packaging besides python3-torch (`common/state.py` imports `packaging.version`).",
        "",
        "Things an importer meets here:",
        "",
        "- legacy files: five pickles (magic number, protocol version 1001, sys_info, the object, the",
        "  sorted storage keys), then per storage an 8-byte little-endian element count and the raw",
        "  little-endian data; a tensor is `torch._utils._rebuild_tensor_v2(persistent id, offset, size,",
        "  stride, requires_grad, OrderedDict())`, the persistent id `('storage', torch.FloatStorage,",
        "  key, 'cpu', numel, None)`; zip files: `<name>/data.pkl`, `<name>/data/<key>`,",
        "  `<name>/version`, persistent id `('storage', torch.FloatStorage, key, 'cpu', numel)`;",
        "- pickle globals: `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`,",
        "  `torch.FloatStorage`, and `torch.LongStorage` where batch norm's `num_batches_tracked` is",
        "  present; the state_dict OrderedDict carries `_metadata` (set by BUILD);",
        "- SimpleNet numbers its layers in order, so below 32x32 they are conv1..conv11 (the 1x1",
        "  convolutions are conv9, conv10), at 32x32 and up conv1..conv13; the normalization layers are",
        "  named `<normalization><n>` (`bn3`, `gn3`, and `3` for none, which has no weights);",
        "- ResNet and WideResNet have 1 logit for N_class 2 (`resnet-2class`); the whitening layer's",
        "  `whiten.weight` (std) and `whiten.bias` (mean) are parameters without gradient, first in",
        "  the parameter order, so the optimizer state has no entries 0 and 1 for them.",
        "",
        "| case | class | configuration | optimizer | extra files |",
        "|---|---|---|---|---|",
    ]
    for name, (class_name, reference, options) in CASES.items():
        config, opt = describe(class_name, reference, options)
        extra = "zip, state_dict" if "zip" in fixtures[name]["files"] else ""
        lines.append("| `%s` | %s | %s | %s | %s |" % (name, class_name, config, opt, extra))
    lines.append("")
    with open(os.path.join(out_dir, "README.md"), "w") as f:
        f.write("\n".join(lines))


def main():
    repo = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", required=True,
                        help="the reference implementation's 002-loading-models folder (a checkout)")
    parser.add_argument("--out", default=os.path.join(repo, "test", "fixtures", "reference-checkpoints"))
    parser.add_argument("--commit", default=None,
                        help="the reference implementation's commit, if --reference is not in a git checkout")
    args = parser.parse_args()

    reference_dir = os.path.abspath(args.reference)
    assert os.path.isfile(os.path.join(reference_dir, "common", "state.py")), \
        "--reference must be the reference implementation's 002-loading-models folder"
    commit = args.commit
    if commit is None:
        try:
            commit = subprocess.run(["git", "-C", reference_dir, "rev-parse", "HEAD"], check=True,
                                    capture_output=True, text=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            sys.exit("--reference is not in a git checkout; give --commit")

    # State.load finds the model classes with importlib.import_module('models').
    sys.path.insert(0, reference_dir)
    import models
    import common.state

    os.makedirs(args.out, exist_ok=True)
    # Remove earlier fixtures (only files named like cases), so renamed cases leave nothing behind.
    for f in os.listdir(args.out):
        if f.startswith(("simplenet-", "resnet-", "wideresnet-")) and f.endswith((".pth", ".json")):
            os.remove(os.path.join(args.out, f))
    fixtures = {}
    for name, (class_name, reference, options) in CASES.items():
        fixtures[name], parameters = make_case(name, class_name, reference, options, args.out, models,
                                               common.state)
        print(name, parameters, "parameters, logits", fixtures[name]["logits"]["shape"])
    write_readme(args.out, commit, fixtures)


if __name__ == "__main__":
    main()
