"""`python3 -m archbundle` (installed as `archbundle-py`): the TypeScript CLI's `validate` and
`inspect`, with its output, its exit codes (0 valid, 1 invalid or failed, 2 usage) and one line
per error. The only place that turns errors into text and exit codes. `validate` never imports
PyTorch."""
import codecs
import os
import re
import sys
import traceback
from typing import Callable, Dict, List, Optional, Sequence, TextIO, Tuple

from . import __version__
from .cli_format import integer, stringify
from .errors import ArchbundleError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_PROG = "archbundle-py"

VALIDATE_HELP = """Usage: {prog} validate BUNDLE... [--json]

Check bundles: tar structure, entry names and types, JSON schemas, checksums, and the model,
optimizer and scheduler arguments against their classes' published schemas (the checks of
archbundle validate without --deep). Exit 0 when all are valid, 1 when any is invalid, 2 on a
usage error. PyTorch is not loaded.

Options:
  --json         one JSON array with a result per bundle
  --verbose      stack traces on errors
  -h, --help     this help
"""

INSPECT_HELP = """Usage: {prog} inspect BUNDLE [--json]

Show what a bundle holds: class, arguments, input contract (dataset, labels, pixel scaling,
input shape), parameter count, tensor table, optimizer, scheduler, epoch, metrics and
versions. Reads and checks the bundle fully (checksums included).

Options:
  --json       the same as one JSON object
  --verbose    stack traces on errors
  -h, --help   this help
"""


class UsageError(Exception):
    """A command line that cannot be understood; exits 2."""

    def __init__(self, message: str, command: str):
        super().__init__(message)
        self.command = command


def parse(command: str, argv: Sequence[str], flags: Sequence[str]) -> Tuple[Dict[str, bool], List[str]]:
    """Boolean options and positionals, strictly, as node:util parseArgs: an unknown option is a
    usage error, never a file name; `--` ends the options."""
    values = {flag: False for flag in flags}
    positionals: List[str] = []
    arguments = list(argv)
    while arguments:
        argument = arguments.pop(0)
        if argument == "--":
            positionals += arguments
            break
        if argument.startswith("-") and argument != "-":
            # Long options only: -h is the one short option, and main() answers it.
            name = argument[2:] if argument.startswith("--") else None
            if name not in values:
                raise UsageError(f"Unknown option '{argument}'", command)
            values[name] = True
        else:
            positionals.append(argument)
    return values, positionals


def run_validate(argv: Sequence[str], out: TextIO) -> int:
    from .validation import validate_file
    values, files = parse("validate", argv, ["json", "verbose"])
    if not files:
        raise UsageError("expected at least one bundle file", "validate")
    results = [validate_file(file) for file in files]
    status = EXIT_OK if all(r["valid"] for r in results) else EXIT_FAILED
    try:
        if values["json"]:
            out.write(stringify(results, 2) + "\n")
        else:
            for r in results:
                if r["valid"]:
                    out.write(f"ok    {r['file']} ({r['class']}, {r['tensors']} tensors, {integer(r['bytes'])} bytes, {stringify(r['ms'])} ms)\n")
                else:
                    out.write(f"FAIL  {r['file']}: {r['error']['code']}: {_one_line(r['error']['message'])}\n")
        out.flush()
    except BrokenPipeError:
        # `validate ... | head -1`: the reader has seen enough; the verdict still stands.
        _quiet_stdout()
    return status


def run_inspect(argv: Sequence[str], out: TextIO) -> int:
    from .summary import summary, summary_text
    from .validation import open_bundle
    values, files = parse("inspect", argv, ["json", "verbose"])
    if len(files) != 1:
        raise UsageError(f"expected one bundle file, received {len(files)}", "inspect")
    s = summary(files[0], open_bundle(files[0])[0])
    out.write(stringify(s, 2) + "\n" if values["json"] else summary_text(s))
    out.flush()
    return EXIT_OK


COMMANDS: Dict[str, Tuple[Callable[[Sequence[str], TextIO], int], str, str]] = {
    "validate": (run_validate, "check bundles for CI", VALIDATE_HELP),
    "inspect": (run_inspect, "show what a bundle holds", INSPECT_HELP),
}


def main_help(prog: str) -> str:
    width = max(map(len, COMMANDS))
    lines = [f"  {name.ljust(width)}  {summary}" for name, (_, summary, _) in COMMANDS.items()]
    return "\n".join([f"Usage: {prog} <command> [options]", "", "Commands:", *lines, "",
                      "Options for every command: --help, --verbose (stack traces on errors).",
                      f"Run `{prog} <command> --help` for a command's options.", ""])


_REPLACEMENT = "archbundle-replacement-character"
# One U+FFFD per character the stream's encoding cannot hold, as bytes of that encoding (an
# encoder takes only ASCII text from an error handler).
codecs.register_error(_REPLACEMENT, lambda error: ("\ufffd".encode(error.encoding, "replace") * (error.end - error.start), error.end))


def main(argv: Optional[Sequence[str]] = None, prog: str = DEFAULT_PROG) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out, err = sys.stdout, sys.stderr
    for stream in (out, err):
        # A name from a hostile bundle may hold a lone surrogate, which UTF-8 cannot encode: print
        # U+FFFD for it, as Node does, rather than lose every line of the output.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors=_REPLACEMENT)
    name, rest = (argv[0], argv[1:]) if argv else (None, [])
    try:
        if name in (None, "-h", "--help", "help"):
            out.write(main_help(prog))
            out.flush()
            return EXIT_USAGE if name is None else EXIT_OK
        if name == "--version":
            out.write(f"archbundle-py {__version__}\n")
            out.flush()
            return EXIT_OK
        if name not in COMMANDS:
            err.write(f"{prog}: unknown command \"{name}\"; expected one of {', '.join(COMMANDS)} (see {prog} --help)\n")
            return EXIT_USAGE
        run, _, help_text = COMMANDS[name]
        if "-h" in rest or "--help" in rest:
            out.write(help_text.format(prog=prog))
            out.flush()
            return EXIT_OK
        return run(rest, out)
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except UsageError as error:
        err.write(f"{prog} {error.command}: {error} (see {prog} {error.command} --help)\n")
        err.write(COMMANDS[error.command][2].format(prog=prog).split("\n\n")[0] + "\n")
        return EXIT_USAGE
    except ArchbundleError as error:
        err.write(f"{prog} {name}: {error.code}: {_one_line(error.message)}\n")
        _details(error, "--verbose" in rest)
        return EXIT_FAILED
    except Exception as error:  # a bug or a broken installation: still one line, the stack on --verbose
        err.write(f"{prog} {name}: unexpected error: {_one_line(str(error) or type(error).__name__)}\n")
        _details(error, "--verbose" in rest)
        return EXIT_FAILED


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text)


def _details(error: BaseException, verbose: bool) -> None:
    if verbose:
        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)


def _quiet_stdout() -> None:
    """Points stdout at /dev/null, so that the interpreter's last flush into the closed pipe
    reports nothing (https://docs.python.org/3/library/signal.html#note-on-sigpipe)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
