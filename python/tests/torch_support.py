"""What the archbundle.torch tests share: running archbundle's CLI (the real TypeScript code, on
the cpu backend), training tiny bundles with it, and one small case per architecture and
normalisation, taken from the published schemas so that a new architecture is tested too."""
import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from archbundle.published import load_published, published_files

REPO = Path(__file__).resolve().parents[2]
NODE_ENV = {**os.environ, "ARCHBUNDLE_BACKEND": "cpu"}

# Settings a schema example leaves at a default that would make the model slow or hide a layer
# (MLP's hidden [256, 128], LeNet's max pooling): small and varied, applied when the class has them.
VARIATIONS: Dict[str, Dict[str, Any]] = {
    "MLP": {"hidden": [6, 5], "activation": "leaky_relu", "clamp": True, "whitening": {"mean": [0.4], "std": [0.3]}},
    "LeNet": {"pooling": "avg", "filters": [2, 3], "units": [5], "activation": "tanh"},
    "SimpleNet": {"channels": 2, "whitening": {"mean": [0.5], "std": [0.25]}},
    "ResNet": {"blocks": [1, 1], "channels": 4, "zeroResiduals": False},
    "WideResNet": {"depth": 10, "width": 1, "channels": 4},
}


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["node", str(REPO / "bin" / "archbundle.js"), *args], cwd=REPO, env=NODE_ENV,
                          capture_output=True, text=True, timeout=300)
    if check and done.returncode != 0:
        raise AssertionError(f"archbundle {' '.join(args)} exited {done.returncode}: {done.stderr}{done.stdout}")
    return done


def train_steps(source: Path, batch: Path, steps: int, target: Path) -> None:
    done = subprocess.run(["node", "--import", "tsx", "test/helpers/torch-train-steps.ts", str(source), str(batch), str(steps), str(target)],
                          cwd=REPO, env=NODE_ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def cases() -> List[Tuple[str, Dict[str, Any]]]:
    """(class, arguments) per architecture and, where it has one, per normalisation."""
    out = []
    for path in published_files("architectures/*/schema.json"):
        schema = load_published(f"architectures/{path.parent.name}/schema.json")
        name = schema["title"]
        args = {**schema["examples"][0], **{k: v for k, v in VARIATIONS.get(name, {}).items() if k in schema["properties"]}}
        args["classes"] = 3
        kinds = schema["properties"].get("normalization", {}).get("enum", [None])
        for kind in kinds:
            case = dict(args) if kind is None else {**args, "normalization": kind}
            if name == "WideResNet" and kind == "none":
                case["shortcut"] = "activated"
            out.append((name, case))
    return out


def case_id(case: Tuple[str, Dict[str, Any]]) -> str:
    return f"{case[0]}-{case[1].get('normalization', 'plain')}"


def train_config(folder: Path, name: str, args: Dict[str, Any], optimizer: Dict[str, Any],
                 epochs: int = 1, scheduler: Optional[Dict[str, Any]] = None) -> Path:
    """A config training on 16 synthetic examples (two steps of 6 per epoch) into folder/out."""
    c, h, w = args["resolution"]
    config = {
        "model": {"class": name, "args": args},
        "data": {"dataset": "synthetic", "batchSize": 6, "validationSplit": 0.25, "evalBatchSize": 8,
                 "synthetic": {"train": 16, "test": 4, "classes": args["classes"], "resolution": [c, h, w], "noise": 0.25}},
        "optimizer": optimizer, "scheduler": scheduler, "epochs": epochs, "seed": 3, "output": str(folder / "out"),
        "checkpoint": {"everyEpochs": 1, "keepLast": 0, "keepBest": None},
    }
    path = folder / "config.json"
    path.write_text(json.dumps(config))
    return path


def train(folder: Path, name: str, args: Dict[str, Any], optimizer: Optional[Dict[str, Any]] = None,
          scheduler: Optional[Dict[str, Any]] = None, epochs: int = 1) -> Path:
    """Trains with archbundle's CLI; returns the last epoch's bundle."""
    config = train_config(folder, name, args, optimizer or {"class": "SGD", "args": {"learningRate": 0.05, "momentum": 0.9}},
                          epochs, scheduler)
    cli("train", "--config", str(config))
    return folder / "out" / f"epoch-{epochs:04d}.archbundle"


# Steps per epoch of train_config: 16 examples, a quarter held out for validation, batches of 6.
STEPS_PER_EPOCH = 2


def input_contract(args: Dict[str, Any]) -> Dict[str, Any]:
    """The input contract `archbundle train` writes for train_config's synthetic data."""
    c, h, w = args["resolution"]
    return {"dataset": "synthetic", "labels": None, "pixels": {"scale": 1 / 255, "offset": 0}, "layout": "NHWC", "shape": [h, w, c]}


def predict(bundle: Path, inputs: Path) -> np.ndarray:
    """archbundle predict's logits for an NHWC .npy batch."""
    out = json.loads(cli("predict", str(bundle), str(inputs), "--json").stdout)
    return np.array([p["logits"] for p in out["predictions"]], dtype=np.float64)


def nhwc_inputs(folder: Path, resolution, count: int = 3, seed: int = 0) -> Tuple[Path, np.ndarray]:
    """Float inputs in [-0.2, 1.2) (so that clamping acts), saved as .npy for archbundle predict."""
    c, h, w = resolution
    x = (np.random.RandomState(seed).rand(count, h, w, c) * 1.4 - 0.2).astype("<f4")
    path = folder / "inputs.npy"
    np.save(path, x)
    return path, x


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| over the largest magnitude of b."""
    return float(np.max(np.abs(np.asarray(a, np.float64) - b)) / max(np.max(np.abs(b)), 1e-30))
