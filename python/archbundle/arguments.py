"""Complete, validated arguments from the published schemas, as archbundle's TS registries make
them: defaults filled in, then the schema, then the checks the schema cannot express. For
architectures (architectures/<name>/schema.json) and for optimizers and schedulers
(src/core/{optimizers,schedulers}/*.schema.json); and the input contract against them."""
from typing import Any, Dict, List

from .errors import BundleError, Issue, ValidationError
from .group_count import group_count
from .schemas import architecture_schemas, class_schemas, pointer, schema_issues, with_defaults


def architecture_schema(class_name: str) -> dict:
    """The published argument schema of architecture `class_name`, or E_UNKNOWN_CLASS."""
    schemas = architecture_schemas()
    if class_name not in schemas:
        raise BundleError("E_UNKNOWN_CLASS", f'unknown architecture "{class_name}" (known: {", ".join(sorted(schemas))})')
    return schemas[class_name]


def check_complete(subject: str, schema: dict, args: Dict[str, Any], hint: str) -> None:
    """Arguments a bundle stores name every property the schema declares (E_INVALID_ARGS, one
    issue per missing one): nothing is defaulted behind a reader's back."""
    missing = [k for k in schema.get("properties", {}) if k not in args]
    if missing:
        raise ValidationError("E_INVALID_ARGS", subject, [
            Issue(pointer([k]), f"is declared by the schema but missing ({hint})", "complete") for k in missing])


def complete_args(class_name: str, args: Dict[str, Any]) -> Dict[str, Any]:
    """The complete arguments of `class_name` (E_UNKNOWN_CLASS if there is no such architecture),
    or E_INVALID_ARGS with a JSON pointer per problem."""
    schema = architecture_schema(class_name)
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


# Why a writer's arguments must be complete.
STORED_HINT = "a bundle stores complete arguments: fill in the defaults"


def complete_class_args(kind: str, name: str, args: Dict[str, Any], *, stored: bool = False) -> Dict[str, Any]:
    """The complete arguments of optimizer or scheduler `name` (`kind` "optimizer" or
    "scheduler"); E_UNKNOWN_CLASS or E_INVALID_ARGS. `stored`: arguments a bundle is to store,
    which must name every declared property already (a writer fills the defaults in)."""
    schemas = class_schemas(kind)
    if name not in schemas:
        raise BundleError("E_UNKNOWN_CLASS", f'unknown {kind} "{name}" (known: {", ".join(sorted(schemas))})')
    if stored:
        check_complete(f"{name} arguments", schemas[name], args, STORED_HINT)
    complete = with_defaults(schemas[name], args)
    issues = schema_issues(schemas[name], complete) or _class_checks(name, complete, schemas)
    if issues:
        raise ValidationError("E_INVALID_ARGS", f"{name} arguments", issues)
    return complete


def _class_checks(name: str, args: Dict[str, Any], schemas: Dict[str, dict]) -> List[Issue]:
    """What the TS specs check beyond the schema (src/core/optimizers/specs.ts, schedulers/specs.ts)."""
    if name == "SGD" and args["nesterov"] and not (args["momentum"] > 0 and args["dampening"] == 0):
        return [Issue("/nesterov", f"needs momentum > 0 and dampening 0, received momentum {args['momentum']} and dampening {args['dampening']}", "nesterov")]
    if name == "LinearWarmup" and args.get("scheduler"):
        inner = args["scheduler"]
        if inner["class"] not in schemas:
            return [Issue("/scheduler/class", f'unknown scheduler "{inner["class"]}"', "class")]
        inner_args = with_defaults(schemas[inner["class"]], inner.get("args", {}))
        return [Issue("/scheduler/args" + i.pointer, i.message, i.keyword)
                for i in schema_issues(schemas[inner["class"]], inner_args) or _class_checks(inner["class"], inner_args, schemas)]
    return []


def check_input_contract(contract: Dict[str, Any], args: Dict[str, Any]) -> None:
    """src/core/bundle/input-contract.ts checkInputContract: one label per class (when labelled),
    and the shape of the architecture's resolution; E_INPUT_MISMATCH with every problem."""
    issues: List[Issue] = []
    labels = contract.get("labels")
    if labels is not None and len(labels) != args["classes"]:
        issues.append(Issue("/labels", f"expected {args['classes']} labels (one per class), received {len(labels)}", "labels"))
    channels, height, width = args["resolution"]
    if list(contract.get("shape") or []) != [height, width, channels]:
        issues.append(Issue("/shape", f"expected [{height}, {width}, {channels}] (the model's resolution [{channels}, {height}, {width}] "
                                      f"as height, width, channels), received {contract.get('shape')}", "shape"))
    if issues:
        raise ValidationError("E_INPUT_MISMATCH", "input.json", issues)
