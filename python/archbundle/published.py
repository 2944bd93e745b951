"""Where archbundle's published files are: the JSON Schemas of the bundle entries, of every
architecture's arguments, of the optimizers and schedulers, and the PyTorch mappings.

They are read from the repository (or npm package) this package sits in, or from the copy an
install made of them at build time (`archbundle/_published/`); never from copies kept by hand.
This module has no dependencies: setup.py imports it on its own."""
import json
import os
from pathlib import Path

# Relative to the repository root, as the npm package lays them out too.
PUBLISHED_GLOBS = (
    "schemas/*.schema.json",
    "architectures/*/schema.json",
    "architectures/*/torch.json",
    "architectures/torch-layers.json",
    "src/core/optimizers/*.schema.json",
    "src/core/optimizers/torch.json",
    "src/core/schedulers/*.schema.json",
    "package.json",
)


def published_root() -> Path:
    """The folder holding `schemas/`, `architectures/`, ...: $ARCHBUNDLE_PUBLISHED if set, else the
    copy an install made, else the repository around this source tree."""
    override = os.environ.get("ARCHBUNDLE_PUBLISHED")
    if override:
        return Path(override)
    here = Path(__file__).resolve().parent
    installed = here / "_published"
    if (installed / "schemas").is_dir():
        return installed
    repository = here.parent.parent
    if (repository / "schemas").is_dir():
        return repository
    raise FileNotFoundError(
        "archbundle's published schemas were not found: install the package with pip from the "
        "repository, run it from the repository (PYTHONPATH=python), or set ARCHBUNDLE_PUBLISHED "
        "to a folder holding schemas/ and architectures/"
    )


def _under(root: Path, relative: str) -> Path:
    """Where `relative` is in `root`: an installed npm package of archbundle holds the files the
    repository keeps under src/ as compiled, under dist/src/."""
    if relative.startswith("src/") and not (root / relative).parent.is_dir():
        return root / "dist" / relative
    return root / relative


def files_in(root: Path, pattern: str) -> list:
    """The files matching `pattern` (a path in the repository's layout) under `root`, a
    repository or an installed npm package (which holds src/'s files compiled, under dist/src/)."""
    found = sorted(root.glob(pattern))
    if not found and pattern.startswith("src/"):
        found = sorted((root / "dist").glob(pattern))
    return found


def published_files(pattern: str) -> list:
    return files_in(published_root(), pattern)


def load_published(relative: str):
    with open(_under(published_root(), relative), "rb") as handle:
        return json.load(handle)
