"""The published argument schemas by class, and jsonschema's findings as Issues with JSON
pointers: what the reader, the argument checks and archbundle.torch all validate with."""
import copy
from typing import Any, Dict, List

from jsonschema import Draft202012Validator

from .errors import Issue
from .published import load_published, published_files


def pointer(path) -> str:
    """A JSON pointer (RFC 6901) for a jsonschema error path."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def schema_issues(schema: dict, value: Any) -> List[Issue]:
    errors = sorted(Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.absolute_path))
    return [Issue(pointer(e.absolute_path), e.message, e.validator) for e in errors]


def with_defaults(schema: dict, args: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of `args` with the schema's top-level defaults filled in, as the TS registry does."""
    complete = copy.deepcopy(args)
    for key, prop in schema.get("properties", {}).items():
        if key not in complete and "default" in prop:
            complete[key] = copy.deepcopy(prop["default"])
    return complete


def architecture_schemas() -> Dict[str, dict]:
    """Class name → argument schema, for every published architecture."""
    schemas = (load_published(f"architectures/{path.parent.name}/schema.json") for path in published_files("architectures/*/schema.json"))
    return {schema["title"]: schema for schema in schemas}


def class_schemas(kind: str) -> Dict[str, dict]:
    """Class name (the end of the schema's $id) → argument schema, for kind optimizer or scheduler."""
    out = {}
    for path in published_files(f"src/core/{kind}s/*.schema.json"):
        schema = load_published(f"src/core/{kind}s/{path.name}")
        out[schema["$id"].rsplit(":", 1)[1]] = schema
    return out
