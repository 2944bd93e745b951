"""What `archbundle inspect` shows of a bundle: the summary (the same object, key for key, as
the TypeScript CLI's `inspect --json`) and its text (src/node/cli/commands/inspect.ts)."""
from typing import Any, Dict, List, Optional

import numpy as np

from .bundle import Bundle
from .cli_format import integer, number_text, stringify, table, to_precision
from .format import stored_dtype


# Metrics in reading order (the bundle stores JSON with sorted keys), as the TypeScript CLI.
METRIC_ORDER = ["epoch", "step", "loss", "accuracy", "val_loss", "val_accuracy", "learningRate", "imagesPerSecond", "seconds"]


def summary(file: str, bundle: Bundle) -> Dict[str, Any]:
    tensors = [{"name": name, "dtype": stored_dtype(array), "shape": list(array.shape), "bytes": int(array.nbytes)}
               for name, array in bundle.weights.items()]
    optimizer = bundle.optimizer
    scheduler = bundle.scheduler
    manifest = bundle.manifest or {}
    return {
        "file": file,
        "class": bundle.class_name,
        "schemaId": bundle.arch["schemaId"],
        "schemaVersion": bundle.arch["schemaVersion"],
        "savedSchemaVersion": bundle.saved_schema_version,
        "migrations": list(bundle.migrations),
        "renamedLayers": dict(bundle.renamed_layers),
        "args": bundle.args,
        "input": bundle.input,
        "parameters": sum(int(np.prod(t["shape"], dtype=np.int64)) for t in tensors),
        "tensors": tensors,
        "optimizer": None if optimizer is None else {
            "class": optimizer.class_name, "args": optimizer.args, "learningRate": optimizer.learning_rate,
            "step": optimizer.step, "slots": len(optimizer.state)},
        # scheduler.json as stored: canonical JSON, keys sorted.
        "scheduler": None if scheduler is None else {"args": scheduler.args, "class": scheduler.class_name, "state": scheduler.state},
        "epoch": bundle.training["epoch"],
        "globalStep": bundle.training["globalStep"],
        "metrics": bundle.training["metrics"],
        "versions": {"format": manifest.get("formatVersion"), "archbundle": manifest.get("archbundleVersion"),
                     "tfjs": manifest.get("tfjsVersion")},
    }


def summary_text(s: Dict[str, Any]) -> str:
    migrated = f", migrated from {s['savedSchemaVersion']}: {'; '.join(s['migrations'])}" if s["migrations"] else ""
    o, sch = s["optimizer"], s["scheduler"]
    lines = [
        f"bundle:     {s['file']}",
        f"class:      {s['class']} (schema {s['schemaId']}, version {s['schemaVersion']}{migrated})",
    ]
    if s["renamedLayers"]:
        renamed = ", ".join(f"{old} → {new}" for old, new in s["renamedLayers"].items())
        lines.append(f"renamed:    {renamed} (stored name → current; tensors listed as current)")
    lines += [
        f"arguments:  {stringify(s['args'])}",
        f"input:      {_describe_input(s['input'], s['versions']['format'])}",
        f"parameters: {integer(s['parameters'])} values in {len(s['tensors'])} stored tensors",
        "optimizer:  " + (f"{o['class']} {stringify(o['args'])}, lr {number_text(o['learningRate'])}, step {o['step']}, {o['slots']} slot tensors" if o else "(none)"),
        "scheduler:  " + (f"{sch['class']} {stringify(sch['args'])}, state {stringify(sch['state'])}" if sch else "(none)"),
        f"epoch:      {s['epoch']} (step {s['globalStep']})",
        f"versions:   format {s['versions']['format']}, archbundle {s['versions']['archbundle']}, tfjs {s['versions']['tfjs']}",
    ]
    text = "\n".join(lines) + "\n\n"
    text += table(["TENSOR", "DTYPE", "SHAPE", "BYTES"],
                  [[t["name"], t["dtype"], "[" + ", ".join(map(str, t["shape"])) + "]", integer(t["bytes"])] for t in s["tensors"]])
    if s["metrics"]:
        keys = _metric_keys(s["metrics"])
        text += "\n" + table([k.upper() for k in keys], [[_metric(m.get(k)) for k in keys] for m in s["metrics"]])
    return text


def _describe_input(contract: Optional[Dict[str, Any]], format_version: int) -> str:
    if contract is None:
        return "(none: format version 1 bundles hold no input contract)" if format_version < 2 else "(none)"
    labels = contract.get("labels")
    labels_text = "labels " + ", ".join(stringify(label) for label in labels) if labels else "no labels"
    pixels = contract["pixels"]
    dataset = contract.get("dataset") or "(unknown)"
    shape = ", ".join(map(str, contract["shape"]))
    return (f"dataset {dataset}, {labels_text}; pixels 8-bit value × {number_text(pixels['scale'])} + "
            f"{number_text(pixels['offset'])}; {contract['layout']} [{shape}]")


def _metric_keys(metrics: List[Dict[str, Any]]) -> List[str]:
    keys = list(dict.fromkeys(k for m in metrics for k in m))
    # The TypeScript CLI breaks ties with localeCompare; case-insensitive order first is its nearest.
    return sorted(keys, key=lambda k: (METRIC_ORDER.index(k) if k in METRIC_ORDER else len(METRIC_ORDER), k.casefold(), k))


def _metric(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, int) or float(value).is_integer():
        return number_text(value)
    return to_precision(value, 4)
