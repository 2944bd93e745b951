"""Bundle files for the tests: one trained by archbundle's TypeScript CLI (`archbundle train`),
broken copies of it, each refused with a known code by both readers, and edited copies re-packed
by Python's tarfile."""
import dataclasses
import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path
from typing import Callable, Dict, List

import archbundle
from torch_support import REPO, cli, train_config

# The hand-made bad bundles both languages' tests share (npm run fixtures:bad-bundles).
SHARED_BAD_BUNDLES = REPO / "test" / "fixtures" / "bad-bundles"

# Broken copy → the code both readers give it.
BROKEN = {
    "checksum.archbundle": "E_CHECKSUM",
    "truncated.archbundle": "E_TRUNCATED",
    "garbage.archbundle": "E_NOT_TAR",
    "badargs.archbundle": "E_INVALID_ARGS",
    "missing.archbundle": "E_IO",
}


def trained_bundle(folder: Path, scheduler: bool = False) -> Path:
    """A tiny MLP trained one epoch by `archbundle train` (SGD; StepLR too with `scheduler`)."""
    folder.mkdir(parents=True, exist_ok=True)
    config = train_config(folder, "MLP", {"classes": 3, "resolution": [1, 4, 4], "hidden": [6, 5]},
                          {"class": "SGD", "args": {"learningRate": 0.05, "momentum": 0.9}})
    if scheduler:
        text = config.read_text()
        config.write_text(text[:-1] + ', "scheduler": {"class": "StepLR", "args": {"stepSize": 1, "gamma": 0.5}}}')
    cli("train", "--config", str(config))
    return folder / "out" / "epoch-0001.archbundle"


def broken_copies(good: Path, folder: Path) -> Dict[str, Path]:
    """The files of BROKEN, made from `good` in `folder` (missing.archbundle is not made)."""
    data = good.read_bytes()
    with tarfile.open(good) as tar:
        weights = tar.getmember("weights.bin")
    flipped = bytearray(data)
    flipped[weights.offset_data + 5] ^= 0x40  # a tensor's byte: only the manifest's sha256 can tell
    (folder / "checksum.archbundle").write_bytes(bytes(flipped))
    (folder / "truncated.archbundle").write_bytes(data[:len(data) // 2])
    (folder / "garbage.archbundle").write_bytes(b"not a bundle\n" * 100)
    # archbundle.write refuses invalid arguments: the shared hand-made one (MLP with classes 0).
    shutil.copyfile(SHARED_BAD_BUNDLES / "invalid-args-architecture.bundle", folder / "badargs.archbundle")
    return {name: folder / name for name in BROKEN}


def shared_bad_bundles() -> List[dict]:
    """The shared cases the reader alone refuses (stage "read"; "load" needs a built model)."""
    cases = json.loads((SHARED_BAD_BUNDLES / "index.json").read_text())["cases"]
    return [case for case in cases if case["stage"] == "read"]


def with_labels(good: Path, target: Path, labels) -> Path:
    """`good` with class names in its input contract, written by archbundle.write."""
    bundle = archbundle.read(good)
    archbundle.write(target, dataclasses.replace(bundle, input={**bundle.input, "labels": list(labels)}))
    return target


def rebuilt(source: bytes, edit: Callable[[Dict[str, bytes]], None]) -> bytes:
    """The bundle's entries edited, the manifest made to match, re-packed by Python's tarfile."""
    with tarfile.open(fileobj=io.BytesIO(source)) as tar:
        entries = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    edit(entries)
    manifest = json.loads(entries["manifest.json"])
    manifest["entries"] = [{"name": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                           for n, d in entries.items() if n != "manifest.json"]
    entries["manifest.json"] = json.dumps(manifest).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def edit_arch(change: Callable[[dict], None]) -> Callable[[Dict[str, bytes]], None]:
    def edit(entries: Dict[str, bytes]) -> None:
        arch = json.loads(entries["arch.json"])
        change(arch)
        entries["arch.json"] = json.dumps(arch).encode()
    return edit
