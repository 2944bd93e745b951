"""`archbundle.read`: a bundle file, checked as hostile input (docs/bundle-format.md §6), as a
`Bundle` whose tensors view the file in place (a memory map for a path)."""
import hashlib
import mmap
import os
import stat
from dataclasses import dataclass, replace
from typing import Any, BinaryIO, Dict, Mapping, Union

from .bundle import Bundle, Optimizer, Scheduler
from .errors import BundleError, ValidationError
from .format import FORMAT_VERSION
from .arguments import architecture_schema, check_complete, check_input_contract, complete_args, complete_class_args
from .migrations import migrate_args, rename_tensors
from .published import load_published
from .schemas import schema_issues
from .strict_json import parse_strict_json
from .tar_reader import tar_entries
from .tensor_table import check_bin_size, check_padding, check_table, is_safe_integer, tensor_views

ORDER = ["arch.json", "input.json", "weights.json", "weights.bin", "optimizer.json", "optimizer.bin",
         "scheduler.json", "training.json", "manifest.json"]
REQUIRED = {"arch.json", "weights.json", "weights.bin", "training.json", "manifest.json"}
NEEDS = {"weights.json": "arch.json", "optimizer.json": "arch.json", "input.json": "arch.json",
         "weights.bin": "weights.json", "optimizer.bin": "optimizer.json", "scheduler.json": "optimizer.json"}
# Entries that later format versions added, with the version that added each.
SINCE = {"input.json": 2}
TABLES = {"weights.json": "weights.bin", "optimizer.json": "optimizer.bin"}


@dataclass(frozen=True)
class ReadLimits:
    """What a reader accepts at most: src/core/bundle/format.ts's DEFAULT_LIMITS, with its codes
    (E_ENTRY_TOO_LARGE for an entry, E_JSON_DEPTH, E_TENSOR_TABLE for a table's count or rank)."""

    max_json_bytes: int = 16 * 1024 * 1024
    max_json_depth: int = 64
    max_bin_bytes: int = 64 * 1024 ** 3
    max_tensors: int = 100_000
    max_rank: int = 8


DEFAULT_LIMITS = ReadLimits()


def _entry_schema(name: str) -> dict:
    return load_published(f"schemas/bundle-{name.split('.')[0]}.schema.json")


def file_view(handle: BinaryIO) -> memoryview:
    """An open file's bytes: a regular file as a read-only memory map (the tensors view the file
    in place; the map lives as long as the Bundle and its arrays do), anything else (a pipe, a
    device) read whole."""
    info = os.fstat(handle.fileno())
    if not stat.S_ISREG(info.st_mode):
        return memoryview(handle.read())
    if info.st_size == 0:
        return memoryview(b"")  # mmap cannot map an empty file
    return memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))


def _open(source: Union[str, os.PathLike, bytes, BinaryIO]) -> memoryview:
    if isinstance(source, bytearray):
        source = bytes(source)  # the arrays must not view a buffer the caller may change
    if isinstance(source, (bytes, memoryview)):
        return memoryview(source)
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            return file_view(handle)
    return memoryview(source.read())


def read(source: Union[str, os.PathLike, bytes, BinaryIO], *, limits: Union[ReadLimits, Mapping[str, int], None] = None) -> Bundle:
    """Reads and checks a bundle; raises BundleError with the TypeScript reader's codes, in the
    order it checks (readBundle, then checkTrainingClasses: what `archbundle validate` does).
    `limits` lowers or raises the caps, e.g. `limits={"max_json_bytes": 1 << 20}`."""
    limits = limits if isinstance(limits, ReadLimits) else replace(DEFAULT_LIMITS, **(limits or {}))
    view = _open(source)
    entries: Dict[str, memoryview] = {}
    docs: Dict[str, Any] = {}
    table_sizes: Dict[str, int] = {}  # tensor table → the size its .bin entry must have

    def admit(name: str, size: int) -> None:
        """An entry's header against the format: known name, once, in order, within its cap."""
        if name not in ORDER:
            raise BundleError("E_ENTRY_UNKNOWN", f'bundle entry "{name}" is not part of the format; expected only {", ".join(ORDER)}')
        if name in entries:
            raise BundleError("E_ENTRY_DUPLICATE", f'bundle entry "{name}" appears twice')
        last = next(reversed(entries), None)
        if last is not None and ORDER.index(last) > ORDER.index(name):
            raise BundleError("E_ENTRY_ORDER", f'bundle entry "{name}" comes after "{last}"; expected the order {", ".join(ORDER)}')
        need = NEEDS.get(name)
        if need and need not in entries:
            raise BundleError("E_ENTRY_MISSING", f'bundle entry "{name}" needs "{need}" before it, which is missing')
        # arch.json, always first, has told the version by now
        since = SINCE.get(name)
        if since is not None and "arch.json" in docs and docs["arch.json"]["formatVersion"] < since:
            raise BundleError("E_ENTRY_UNKNOWN", f'bundle entry "{name}" is not part of format version {docs["arch.json"]["formatVersion"]} (it came with version {since}), which this bundle declares')
        cap = limits.max_json_bytes if name.endswith(".json") else limits.max_bin_bytes
        if size > cap:
            raise BundleError("E_ENTRY_TOO_LARGE", f'bundle entry "{name}" has {size} bytes, more than the cap of {cap}')
        table = next((t for t, b in TABLES.items() if b == name), None)
        if table is not None:
            check_bin_size(name, size, table_sizes[table])
        entries[name] = memoryview(b"")  # its bytes follow; the order and duplicate checks know it from here

    for name, offset, size in tar_entries(view, admit):
        data = view[offset:offset + size]
        entries[name] = data
        if name.endswith(".json"):
            value = parse_strict_json(bytes(data), name, limits.max_json_depth)
            if name in TABLES:  # before the schema, as the TypeScript reader does
                table_sizes[name] = check_table(value, name, limits.max_tensors, limits.max_rank, limits.max_bin_bytes)
            docs[name] = _check_json_entry(name, value, docs)
            if name in TABLES:
                _rename_layers(docs[name], docs["arch.json"]["renamedLayers"], name)
        else:
            table = next(t for t, b in TABLES.items() if b == name)
            check_padding(docs[table], data, name)
    missing = [n for n in ORDER if n in REQUIRED and n not in entries]
    if "optimizer.json" in entries and "optimizer.bin" not in entries:
        missing.append("optimizer.bin")
    if missing:
        raise BundleError("E_ENTRY_MISSING", f"bundle lacks the entries {', '.join(missing)}")
    if docs["manifest.json"]["formatVersion"] != docs["arch.json"]["formatVersion"]:
        raise BundleError("E_FORMAT_VERSION", f'manifest.json says format version {docs["manifest.json"]["formatVersion"]} but arch.json says {docs["arch.json"]["formatVersion"]}')
    _check_manifest(docs["manifest.json"], entries)
    # what checkTrainingClasses checks after readBundle
    for kind, name in (("optimizer", "optimizer.json"), ("scheduler", "scheduler.json")):
        if name in docs:
            complete_class_args(kind, docs[name]["class"], docs[name]["args"])
    return _bundle(docs, entries, table_sizes)


def _check_format_version(name: str, value: Any) -> None:
    """Before the schema, so a newer format fails as such rather than as a schema mismatch; an
    older or malformed version is the schema's to refuse."""
    record = value if isinstance(value, dict) else {}
    if name == "manifest.json" and record.get("format") != "archbundle":
        raise BundleError("E_FORMAT_VERSION", f'manifest.json format must be "archbundle", received {record.get("format")!r}')
    version = record.get("formatVersion")
    if is_safe_integer(version) and version > FORMAT_VERSION:
        raise BundleError("E_FORMAT_VERSION", f"{name} has format version {version}, newer than this reader reads ({FORMAT_VERSION}); upgrade archbundle")


def _check_json_entry(name: str, value: Any, docs: Dict[str, Any]) -> Any:
    if name in ("arch.json", "manifest.json"):
        _check_format_version(name, value)
    issues = schema_issues(_entry_schema(name), value)
    if issues:
        raise ValidationError("E_JSON_SCHEMA", name, issues)
    if name == "arch.json":
        return _check_arch(value)
    if name == "input.json":
        check_input_contract(value, docs["arch.json"]["args"])
    return value


def _check_arch(arch: dict) -> dict:
    """arch.json checked and brought up to the current schema version: complete, valid arguments,
    with what the migrations did under `savedSchemaVersion`, `migrations` and `renamedLayers`."""
    schema = architecture_schema(arch["class"])
    if arch["schemaId"] != schema["$id"]:
        raise BundleError("E_SCHEMA_VERSION", f'arch.json schema id is "{arch["schemaId"]}", but {arch["class"]} uses "{schema["$id"]}"')
    migration = migrate_args(arch["class"], arch["args"], arch["schemaVersion"], schema["x-version"])
    check_complete(f'{arch["class"]} stored arguments', schema, migration.args, "from the stored arguments: a migration must add it explicitly")
    return {**arch, "args": complete_args(arch["class"], migration.args), "schemaVersion": schema["x-version"],
            "savedSchemaVersion": arch["schemaVersion"], "migrations": migration.applied, "renamedLayers": migration.layers}


def _rename_layers(table: dict, renames: Dict[str, str], entry: str) -> None:
    """The table's tensors under the current layer names; the stored bytes are untouched."""
    names = rename_tensors([t["name"] for t in table["tensors"]], renames, entry)
    for record, name in zip(table["tensors"], names):
        record["name"] = name


def _check_manifest(manifest: dict, entries: Dict[str, memoryview]) -> None:
    listed = [e["name"] for e in manifest["entries"]]
    actual = [n for n in entries if n != "manifest.json"]
    if listed != actual:
        raise BundleError("E_CHECKSUM", f"manifest.json lists {listed}, the bundle holds {actual}")
    for entry in manifest["entries"]:
        data = entries[entry["name"]]
        if len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise BundleError("E_CHECKSUM", f'bundle entry "{entry["name"]}" differs from the size or sha256 in manifest.json')


def _bundle(docs: Dict[str, Any], entries: Dict[str, memoryview], table_sizes: Dict[str, int]) -> Bundle:
    def tensors(table_name: str, bin_name: str):
        return tensor_views(docs[table_name], entries[bin_name], bin_name)

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
