"""Arguments saved under an older architecture schema version, brought up to the current one
(docs/bundle-format.md §5), as archbundle's TypeScript reader does (src/core/architecture-
migrations.ts, architectures/*/migrations.ts): each step `from` → `from + 1`, chained; no stored
argument disappears unless a step declares it renamed or dropped; a step may rename layers, and
the reader renames stored tensors (`<layer>/...`) to match.

The steps are code in the TypeScript specs, so they are written again here, step for step with
the same descriptions; python/tests/test_migrations.py checks that every published schema
version has its chain here and that both readers agree on real old bundles."""
import copy
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from .errors import BundleError, Issue, ValidationError

Args = Dict[str, Any]
LayerRenames = Dict[str, str]


@dataclass(frozen=True)
class Migration:
    from_version: int
    description: str
    migrate: Callable[[Args], Args]
    weights: Optional[Callable[[Args], LayerRenames]] = None
    renamed: Dict[str, str] = field(default_factory=dict)
    dropped: Tuple[str, ...] = ()


def _simplenet_blocks(args: Args) -> LayerRenames:
    _, height, width = args["resolution"]
    if height >= 32 and width >= 32:
        return {}
    # only convolutions and their normalisation hold weights
    layers = ("conv", str(args["normalization"]))
    return {f"{layer}{old}": f"{layer}{old - 2}" for old in (11, 12, 13) for layer in layers}


MIGRATIONS: Dict[str, List[Migration]] = {
    "SimpleNet": [Migration(
        1, "blocks numbered as the reference implementation counts them: below 32x32 blocks 11, 12, 13 are 9, 10, 11",
        lambda args: args, weights=_simplenet_blocks)],
    "WideResNet": [Migration(
        1, 'added shortcut: "input", what every unit took before',
        lambda args: {**args, "shortcut": "input"})],
}


@dataclass
class MigrationResult:
    args: Args
    applied: List[str]
    layers: LayerRenames


def _pointer(key: str) -> str:
    return "/" + key.replace("~", "~0").replace("/", "~1")


def migrate_args(class_name: str, args: Args, from_version: Any, current: int) -> MigrationResult:
    """`args` saved under schema version `from_version` of `class_name`, as of version `current`."""
    if not isinstance(from_version, int) or isinstance(from_version, bool) or from_version < 1:
        raise BundleError("E_SCHEMA_VERSION", f"{class_name} schema version must be a positive integer, received {from_version!r}")
    if from_version > current:
        raise BundleError("E_SCHEMA_VERSION", f"{class_name} arguments were saved under schema version {from_version}, newer than this "
                                              f"archbundle knows ({current}); upgrade archbundle to load them")
    migrated = copy.deepcopy(args)
    applied: List[str] = []
    layers: LayerRenames = {}
    for version in range(from_version, current):
        step = next((m for m in MIGRATIONS.get(class_name, []) if m.from_version == version), None)
        if step is None:
            raise BundleError("E_SCHEMA_VERSION", f"{class_name} has no migration from schema version {version} to {version + 1}; "
                                                  f"cannot load arguments saved under version {from_version}")
        following = _attempt(class_name, version, step, "argument step", lambda: step.migrate(copy.deepcopy(migrated)))
        issues = [Issue(_pointer(key), f'was removed by the migration from version {version} ("{step.description}") '
                                       "without being declared renamed or dropped", "migration")
                  for key in migrated if key not in following
                  and not (step.renamed.get(key) in following) and key not in step.dropped]
        if issues:
            raise ValidationError("E_SCHEMA_VERSION", f"{class_name} migration from version {version}", issues)
        migrated = following
        if step.weights is not None:
            renames = _attempt(class_name, version, step, "layer renames", lambda: step.weights(copy.deepcopy(following)))
            layers = compose_renames(layers, check_renames(renames, f"{class_name} migration from version {version} layer renames"))
        applied.append(f"{version}→{version + 1}: {step.description}")
    return MigrationResult(migrated, applied, layers)


def _attempt(class_name: str, version: int, step: Migration, what: str, run: Callable[[], Any]) -> Any:
    # A step is written for arguments its version's schema accepted; stored ones are unchecked
    # input, so what a step raises on them is theirs to answer for, as E_INVALID_ARGS.
    try:
        return run()
    except BundleError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure of the step is the stored arguments'
        raise ValidationError("E_INVALID_ARGS", f"{class_name} stored arguments", [Issue(
            "", f'do not fit the migration from version {version} ("{step.description}"): its {what} raised '
                f"{type(error).__name__}: {error}", "migration")]) from None


def check_renames(value: Any, what: str) -> LayerRenames:
    if not isinstance(value, dict):
        raise ValidationError("E_SCHEMA_VERSION", what, [Issue("", "layer renames must be an object of old layer name → new layer name", "type")])
    bad = [Issue(_pointer(str(old)), f"must map a layer name to a layer name (non-empty, no \"/\"), received {new!r}", "layer")
           for old, new in value.items()
           if not all(isinstance(n, str) and n and "/" not in n for n in (old, new))]
    if bad:
        raise ValidationError("E_SCHEMA_VERSION", what, bad)
    return value


def compose_renames(first: LayerRenames, second: LayerRenames) -> LayerRenames:
    """The renames of `first`, then those of `second`, as one map from the oldest names."""
    out = {old: second.get(via, via) for old, via in first.items()}
    out.update({old: new for old, new in second.items() if old not in first})
    return {old: new for old, new in out.items() if old != new}


def rename_tensors(names: List[str], renames: LayerRenames, entry: str) -> List[str]:
    """Every stored tensor name under the current layer names (the part before the first "/");
    two tensors ending under one name are E_TENSOR_TABLE, as a duplicate in the table would be."""
    out: List[str] = []
    seen: Dict[str, str] = {}
    issues: List[Issue] = []
    for i, name in enumerate(names):
        layer, slash, rest = name.partition("/")
        renamed = renames.get(layer, layer) + slash + rest if slash else name
        if renamed in seen:
            issues.append(Issue(f"/tensors/{i}/name", f'"{seen[renamed]}" and "{name}" are both named "{renamed}" after the renames', "unique"))
        seen[renamed] = name
        out.append(renamed)
    if issues:
        raise BundleError("E_TENSOR_TABLE", f"tensor table {entry} has duplicate names after the migrations' layer renames", issues)
    return out
