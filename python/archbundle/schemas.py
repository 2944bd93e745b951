"""The published argument schemas by class, and jsonschema's findings as Issues with JSON
pointers: what the reader, the argument checks and archbundle.torch all validate with."""
import copy
import re
from typing import Any, Dict, List

from jsonschema import Draft202012Validator

from .errors import Issue
from .published import load_published, published_files


def pointer(path) -> str:
    """A JSON pointer (RFC 6901) for a jsonschema error path."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def schema_issues(schema: dict, value: Any) -> List[Issue]:
    """jsonschema's findings, pointing at the offending property itself as archbundle's TypeScript
    validator does: a missing or unknown property is its own pointer, one issue each."""
    errors = sorted(Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.absolute_path))
    issues: List[Issue] = []
    for error in errors:
        at = pointer(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            issues += [Issue(pointer([*error.absolute_path, key]), "is required but missing", "required")
                       for key in error.validator_value if key not in error.instance]
        elif error.validator == "additionalProperties" and error.validator_value is False and isinstance(error.instance, dict):
            known = error.schema.get("properties", {})
            patterns = error.schema.get("patternProperties", {})
            issues += [Issue(pointer([*error.absolute_path, key]), "is not a known property", "additionalProperties")
                       for key in error.instance if key not in known and not any(re.search(p, key) for p in patterns)]
        else:
            issues.append(Issue(at, error.message, error.validator))
    return list(dict.fromkeys(issues))  # one missing key per `required` error, each listing them all


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
