"""`archbundle.read`: a bundle file, checked as hostile input (docs/bundle-format.md §6), as a
`Bundle` whose tensors view the file in place (a memory map for a path)."""
import hashlib
import mmap
import os
from typing import Any, BinaryIO, Dict, Union

from .bundle import Bundle, Optimizer, Scheduler
from .errors import BundleError, Issue, ValidationError
from .arguments import complete_args
from .migrations import migrate_args, rename_tensors
from .published import load_published
from .schemas import architecture_schemas, class_schemas, schema_issues
from .strict_json import parse_strict_json
from .tar_reader import tar_entries
from .tensor_table import check_table, tensor_views

FORMAT_VERSION = 2
ORDER = ["arch.json", "input.json", "weights.json", "weights.bin", "optimizer.json", "optimizer.bin",
         "scheduler.json", "training.json", "manifest.json"]
REQUIRED = {"arch.json", "weights.json", "weights.bin", "training.json", "manifest.json"}
NEEDS = {"weights.json": "arch.json", "optimizer.json": "arch.json", "input.json": "arch.json",
         "weights.bin": "weights.json", "optimizer.bin": "optimizer.json", "scheduler.json": "optimizer.json"}
MAX_JSON_BYTES = 16 * 1024 * 1024


def _entry_schema(name: str) -> dict:
    return load_published(f"schemas/bundle-{name.split('.')[0]}.schema.json")


def _open(source: Union[str, os.PathLike, bytes, BinaryIO]) -> memoryview:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return memoryview(source)
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            if os.fstat(handle.fileno()).st_size == 0:
                return memoryview(b"")
            return memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
    return memoryview(source.read())


def read(source: Union[str, os.PathLike, bytes, BinaryIO]) -> Bundle:
    """Reads and checks a bundle; raises BundleError with the TypeScript reader's codes."""
    view = _open(source)
    seen: Dict[str, memoryview] = {}
    docs: Dict[str, Any] = {}
    table_sizes: Dict[str, int] = {}  # tensor table → the size its .bin entry must have
    last = -1
    for name, offset, size in tar_entries(view):
        if name not in ORDER:
            raise BundleError("E_ENTRY_UNKNOWN", f'bundle entry "{name}" is not part of the format (expected one of {", ".join(ORDER)})')
        if name in seen:
            raise BundleError("E_ENTRY_DUPLICATE", f'bundle entry "{name}" appears twice')
        if "manifest.json" in seen:
            raise BundleError("E_ENTRY_ORDER", f'bundle entry "{name}" comes after manifest.json, which must be last')
        if ORDER.index(name) < last:
            raise BundleError("E_ENTRY_ORDER", f'bundle entry "{name}" is out of order (expected the order {", ".join(ORDER)})')
        last = ORDER.index(name)
        need = NEEDS.get(name)
        if need and need not in seen:
            raise BundleError("E_ENTRY_MISSING", f'bundle entry "{name}" needs "{need}" before it')
        data = view[offset:offset + size]
        seen[name] = data
        if name.endswith(".json"):
            if size > MAX_JSON_BYTES:
                raise BundleError("E_ENTRY_TOO_LARGE", f'bundle entry "{name}" is {size} bytes, more than the cap of {MAX_JSON_BYTES}')
            docs[name] = _check_json_entry(name, parse_strict_json(bytes(data), name), docs)
            if name in ("weights.json", "optimizer.json"):
                table_sizes[name] = check_table(docs[name], name)
                _rename_layers(docs[name], docs["arch.json"]["renamedLayers"], name)
            if name == "optimizer.json":
                _check_class("optimizer", docs[name])
    missing = sorted(REQUIRED - set(seen))
    if missing:
        raise BundleError("E_ENTRY_MISSING", f"bundle lacks the required entries {', '.join(missing)}")
    if "optimizer.json" in seen and "optimizer.bin" not in seen:
        raise BundleError("E_ENTRY_MISSING", "bundle has optimizer.json without optimizer.bin")
    _check_manifest(docs["manifest.json"], seen)
    return _bundle(docs, seen, table_sizes)


def _check_json_entry(name: str, value: Any, docs: Dict[str, Any]) -> Any:
    if name in ("arch.json", "manifest.json") and isinstance(value, dict):
        version = value.get("formatVersion")
        if name == "manifest.json" and value.get("format") != "archbundle":
            raise BundleError("E_FORMAT_VERSION", f'manifest.json names the format {value.get("format")!r}, expected "archbundle"')
        if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= FORMAT_VERSION:
            raise BundleError("E_FORMAT_VERSION", f"{name} declares format version {version!r}; this reader knows versions 1 to {FORMAT_VERSION}")
    if name == "input.json" and docs["arch.json"]["formatVersion"] < 2:
        raise BundleError("E_ENTRY_UNKNOWN", "input.json in a bundle of format version 1, which has no such entry")
    issues = schema_issues(_entry_schema(name), value)
    if issues:
        raise ValidationError("E_JSON_SCHEMA", name, issues)
    if name == "manifest.json" and value["formatVersion"] != docs["arch.json"]["formatVersion"]:
        raise BundleError("E_FORMAT_VERSION", "manifest.json and arch.json declare different format versions")
    if name == "arch.json":
        return _check_arch(value)
    if name == "input.json":
        _check_input(value, docs["arch.json"])
    elif name == "scheduler.json":
        _check_class("scheduler", value)
    return value


def _check_arch(arch: dict) -> dict:
    """arch.json checked and brought up to the current schema version: complete, valid arguments,
    with what the migrations did under `savedSchemaVersion`, `migrations` and `renamedLayers`."""
    schemas = architecture_schemas()
    if arch["class"] not in schemas:
        raise BundleError("E_UNKNOWN_CLASS", f'unknown architecture "{arch["class"]}" (known: {", ".join(sorted(schemas))})')
    schema = schemas[arch["class"]]
    if arch["schemaId"] != schema["$id"]:
        raise BundleError("E_SCHEMA_VERSION", f'arch.json schema id is "{arch["schemaId"]}", but {arch["class"]} uses "{schema["$id"]}"')
    migration = migrate_args(arch["class"], arch["args"], arch["schemaVersion"], schema["x-version"])
    missing = [key for key in schema.get("properties", {}) if key not in migration.args]
    if missing:
        raise ValidationError("E_INVALID_ARGS", f'{arch["class"]} stored arguments',
                              [Issue(f"/{k}", "is declared by the schema but missing from the stored arguments (a migration must add it explicitly)", "complete") for k in missing])
    return {**arch, "args": complete_args(arch["class"], migration.args), "schemaVersion": schema["x-version"],
            "savedSchemaVersion": arch["schemaVersion"], "migrations": migration.applied, "renamedLayers": migration.layers}


def _rename_layers(table: dict, renames: Dict[str, str], entry: str) -> None:
    """The table's tensors under the current layer names; the stored bytes are untouched."""
    names = rename_tensors([t["name"] for t in table["tensors"]], renames, entry)
    for record, name in zip(table["tensors"], names):
        record["name"] = name


def _check_class(kind: str, entry: dict) -> None:
    schemas = class_schemas(kind)
    if entry["class"] not in schemas:
        raise BundleError("E_UNKNOWN_CLASS", f'unknown {kind} "{entry["class"]}" (known: {", ".join(sorted(schemas))})')
    issues = schema_issues(schemas[entry["class"]], entry["args"])
    if issues:
        raise ValidationError("E_INVALID_ARGS", f'{entry["class"]} arguments', issues)


def _check_input(contract: dict, arch: dict) -> None:
    args = arch["args"]
    issues = []
    labels = contract.get("labels")
    if labels is not None and len(labels) != args["classes"]:
        issues.append(Issue("/labels", f"expected {args['classes']} labels (one per class), received {len(labels)}", "labels"))
    channels, height, width = args["resolution"]
    if contract.get("shape") != [height, width, channels]:
        issues.append(Issue("/shape", f"expected [{height}, {width}, {channels}] (the model's resolution), received {contract.get('shape')}", "shape"))
    if issues:
        raise ValidationError("E_INPUT_MISMATCH", "input.json", issues)


def _check_manifest(manifest: dict, seen: Dict[str, memoryview]) -> None:
    listed = [e["name"] for e in manifest["entries"]]
    actual = [n for n in seen if n != "manifest.json"]
    if listed != actual:
        raise BundleError("E_CHECKSUM", f"manifest.json lists {listed}, the bundle holds {actual}")
    for entry in manifest["entries"]:
        data = seen[entry["name"]]
        if len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise BundleError("E_CHECKSUM", f'bundle entry "{entry["name"]}" differs from the size or sha256 in manifest.json')


def _bundle(docs: Dict[str, Any], seen: Dict[str, memoryview], table_sizes: Dict[str, int]) -> Bundle:
    def tensors(table_name: str, bin_name: str):
        if len(seen[bin_name]) != table_sizes[table_name]:
            raise BundleError("E_TENSOR_TABLE", f"{bin_name} is {len(seen[bin_name])} bytes, {table_name} describes {table_sizes[table_name]}")
        return tensor_views(docs[table_name], seen[bin_name], bin_name)

    arch = dict(docs["arch.json"])
    saved_version, migrations, renamed = arch.pop("savedSchemaVersion"), arch.pop("migrations"), arch.pop("renamedLayers")
    optimizer = None
    if "optimizer.json" in docs:
        o = docs["optimizer.json"]
        optimizer = Optimizer(o["class"], o["args"], o["learningRate"], o["step"], tensors("optimizer.json", "optimizer.bin"))
    scheduler = None
    if "scheduler.json" in docs:
        s = docs["scheduler.json"]
        scheduler = Scheduler(s["class"], s["args"], s["state"])
    return Bundle(arch=arch, weights=tensors("weights.json", "weights.bin"), training=docs["training.json"],
                  optimizer=optimizer, scheduler=scheduler, input=docs.get("input.json"),
                  manifest=docs["manifest.json"], saved_schema_version=saved_version,
                  migrations=migrations, renamed_layers=renamed)
