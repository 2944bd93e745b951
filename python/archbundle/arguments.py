"""An architecture's complete, validated arguments from the published schema
(architectures/<name>/schema.json), as archbundle's TS registry makes them: defaults filled in,
then the schema, then the checks the schema cannot express."""
from typing import Any, Dict, List

from .errors import BundleError, Issue, ValidationError
from .group_count import group_count
from .schemas import architecture_schemas, schema_issues, with_defaults


def complete_args(class_name: str, args: Dict[str, Any]) -> Dict[str, Any]:
    """The complete arguments of `class_name` (E_UNKNOWN_CLASS if there is no such architecture),
    or E_INVALID_ARGS with a JSON pointer per problem."""
    schemas = architecture_schemas()
    if class_name not in schemas:
        raise BundleError("E_UNKNOWN_CLASS", f'unknown architecture "{class_name}" (known: {", ".join(sorted(schemas))})')
    schema = schemas[class_name]
    if not isinstance(args, dict):
        raise ValidationError("E_INVALID_ARGS", f"{class_name}'s arguments", [Issue("", "expected an object", "type")])
    complete = with_defaults(schema, args)
    issues = schema_issues(schema, complete)
    if not issues:
        issues = _checks(class_name, complete)
    if issues:
        raise ValidationError("E_INVALID_ARGS", f"{class_name}'s arguments", issues)
    return complete


def _checks(class_name: str, args: Dict[str, Any]) -> List[Issue]:
    """What the TS specs check beyond the schema (architectures/*/spec.ts)."""
    issues: List[Issue] = []
    channels, height, width = args["resolution"]
    whitening = args.get("whitening")
    if whitening:
        for key in ("mean", "std"):
            if len(whitening[key]) != channels:
                issues.append(Issue(f"/whitening/{key}", f"expected {channels} values (one per input channel), received {len(whitening[key])}", "whitening"))
    if class_name == "WideResNet" and (args["depth"] - 4) % 6 != 0:
        issues.append(Issue("/depth", f"expected 6n + 4, received {args['depth']}", "depth"))
    minimum = {"LeNet": 12, "SimpleNet": 16}.get(class_name)
    if minimum and (height < minimum or width < minimum):
        issues.append(Issue("/resolution", f"expected height and width of at least {minimum}, received {height}x{width}", "resolution"))
    if args.get("normalization") == "gn":
        for planes in _normalised_planes(class_name, args):
            try:
                group_count(planes)
            except ValueError as error:
                issues.append(Issue("/normalization", str(error), "normalization"))
                break
    return issues


def _normalised_planes(class_name: str, args: Dict[str, Any]) -> List[int]:
    c = args["channels"]
    if class_name == "ResNet":
        expansion = 4 if args["block"] == "bottleneck" else 1
        return [c] + [2 ** i * c * k for i in range(len(args["blocks"])) for k in (1, expansion)]
    if class_name == "WideResNet":
        return [c, c * args["width"], 2 * c * args["width"], 4 * c * args["width"]]
    if class_name == "SimpleNet":
        return [c, 2 * c, 4 * c, 8 * c, 32 * c]
    return []
