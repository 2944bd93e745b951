"""What a bundle holds, as Python values: the reader returns one, the writer takes one."""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import numpy as np


@dataclass
class Optimizer:
    """`optimizer.json` and `optimizer.bin`: the class, its complete arguments, the learning rate
    in force when saved, the number of updates applied, and the slots (`<weight>/<slot>` → array)."""

    class_name: str
    args: Dict[str, Any]
    learning_rate: float
    step: int
    state: Dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Scheduler:
    """`scheduler.json`: the class, its complete arguments and its own JSON state."""

    class_name: str
    args: Dict[str, Any]
    state: Dict[str, Any]


@dataclass
class Bundle:
    """A checked bundle.

    `arch` is `arch.json` after migration: `class`, `args` (complete, valid for the current
    schema), `schemaId`, `schemaVersion`, `formatVersion`. `weights` maps each weight's name
    (`<layer>/<weight>`) to a read-only numpy array in the model's weight order, viewing the file
    in place where it can (memory map). `input` is `input.json` (labels, pixels, shape), or None.
    `training` is `training.json`; `manifest` is `manifest.json` (None for a bundle not yet
    written). `saved_schema_version`, `migrations` and `renamed_layers` say how `arch` was brought
    up to date.
    """

    arch: Dict[str, Any]
    weights: Dict[str, np.ndarray]
    training: Dict[str, Any]
    optimizer: Optional[Optimizer] = None
    scheduler: Optional[Scheduler] = None
    input: Optional[Dict[str, Any]] = None
    manifest: Optional[Dict[str, Any]] = None
    saved_schema_version: Optional[int] = None
    migrations: List[str] = field(default_factory=list)
    renamed_layers: Dict[str, str] = field(default_factory=dict)

    @property
    def class_name(self) -> str:
        return self.arch["class"]

    @property
    def args(self) -> Dict[str, Any]:
        return self.arch["args"]

    @property
    def labels(self) -> Optional[List[str]]:
        return None if self.input is None else self.input.get("labels")
