"""`python3 -m archbundle validate` and `inspect`, run for real in a subprocess, against the
TypeScript CLI (`node bin/archbundle.js`) on the same bundles: the same lines, JSON, exit codes."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bundle_files import BROKEN, SHARED_BAD_BUNDLES, broken_copies, rebuilt, shared_bad_bundles, trained_bundle, with_labels
from torch_support import REPO

GOOD = "good.archbundle"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """good.archbundle (trained by the TS CLI), labelled.archbundle (with a scheduler and class
    names) and the broken copies, side by side so that both CLIs get the same relative names."""
    root = tmp_path_factory.mktemp("cli")
    shutil.copyfile(trained_bundle(root / "plain"), root / GOOD)
    with_labels(trained_bundle(root / "scheduled", scheduler=True), root / "labelled.archbundle", ["cat", 'say "hi"', "é"])
    broken_copies(root / GOOD, root)
    return root


def py(folder: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "ARCHBUNDLE_PUBLISHED"}
    env["PYTHONPATH"] = str(REPO / "python")
    env.update(kwargs.pop("env", {}))
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "archbundle", *args], cwd=folder, env=env, text=True, timeout=120, **kwargs)


def ts(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["node", str(REPO / "bin" / "archbundle.js"), *args], cwd=folder,
                          env={**os.environ, "ARCHBUNDLE_BACKEND": "cpu"}, capture_output=True, text=True, timeout=120)


def test_validate_a_valid_bundle(folder):
    done = py(folder, "validate", GOOD)
    size = f"{(folder / GOOD).stat().st_size:,}"
    assert (done.returncode, done.stderr) == (0, "")
    assert re.fullmatch(rf"ok    {re.escape(GOOD)} \(MLP, 6 tensors, {size} bytes, \d+(\.\d)? ms\)\n", done.stdout)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_validate_an_invalid_bundle(folder, name):
    done = py(folder, "validate", name)
    assert (done.returncode, done.stderr) == (1, "")
    assert re.fullmatch(rf"FAIL  {re.escape(name)}: {BROKEN[name]}: [^\n]+\n", done.stdout)


def test_validate_a_mix_gives_one_line_each_in_order(folder):
    names = [GOOD, "checksum.archbundle", "labelled.archbundle", "missing.archbundle"]
    done = py(folder, "validate", *names)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [["ok", GOOD], ["FAIL", "checksum.archbundle:"],
                                                    ["ok", "labelled.archbundle"], ["FAIL", "missing.archbundle:"]]
    assert "E_IO: cannot open bundle" in lines[3] and "ENOENT" in lines[3]


def test_a_name_python_cannot_encode_still_prints_every_line(folder):
    # A lone surrogate (valid JSON, not UTF-8) named in an error message: U+FFFD, as Node prints.
    def same_names(entries):
        text = entries["weights.json"].decode()
        names = [t["name"] for t in json.loads(text)["tensors"][:2]]
        entries["weights.json"] = text.replace(f'"{names[0]}"', '"\\ud800x"').replace(f'"{names[1]}"', '"\\ud800x"').encode()
    (folder / "surrogate.archbundle").write_bytes(rebuilt((folder / GOOD).read_bytes(), same_names))
    mine, theirs = py(folder, "validate", GOOD, "surrogate.archbundle"), ts(folder, "validate", GOOD, "surrogate.archbundle")
    assert (mine.returncode, theirs.returncode) == (1, 1)
    lines = mine.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["ok", "FAIL"], mine.stdout + mine.stderr
    assert "\ufffdx" in lines[1]
    assert lines[1].split(": ")[1] == theirs.stdout.splitlines()[1].split(": ")[1]  # the code


def _comparable(result: dict) -> dict:
    """A validate --json result without the time taken and the wording of messages, which the
    two readers choose for themselves; the JSON pointers of the issues are the same."""
    out = {"keys": list(result), **{k: v for k, v in result.items() if k not in ("ms", "error")}}
    if "error" in result:
        error = result["error"]
        out["error"] = {"keys": list(error), "code": error["code"], "has issues": bool(error["issues"]),
                        "issue keys": sorted({tuple(sorted(issue)) for issue in error["issues"]}),
                        "pointers": [issue["pointer"] for issue in error["issues"]]}
    return out


def test_validate_json_has_the_typescript_shape_and_codes(folder):
    names = [GOOD, "labelled.archbundle", *sorted(BROKEN)]
    mine, theirs = py(folder, "validate", "--json", *names), ts(folder, "validate", "--json", *names)
    assert (mine.returncode, theirs.returncode) == (1, 1)
    mine, theirs = json.loads(mine.stdout), json.loads(theirs.stdout)
    assert [_comparable(r) for r in mine] == [_comparable(r) for r in theirs]
    assert all(isinstance(r["ms"], (int, float)) for r in mine)
    assert [r["error"]["code"] for r in mine if not r["valid"]] == [BROKEN[n] for n in sorted(BROKEN)]
    invalid_args = mine[names.index("badargs.archbundle")]["error"]["issues"]
    assert invalid_args == [{"pointer": "/classes", "message": invalid_args[0]["message"], "keyword": "minimum"}]


def test_validate_json_on_the_shared_bad_bundles_gives_their_codes():
    cases = shared_bad_bundles()
    files = [case["file"] for case in cases]
    mine, theirs = py(SHARED_BAD_BUNDLES, "validate", "--json", *files), ts(SHARED_BAD_BUNDLES, "validate", "--json", *files)
    assert (mine.returncode, theirs.returncode) == (1, 1)
    mine, theirs = json.loads(mine.stdout), json.loads(theirs.stdout)
    assert [(r["file"], r["error"]["code"]) for r in mine] == [(case["file"], case["code"]) for case in cases]
    assert [_comparable(r) for r in mine] == [_comparable(r) for r in theirs]


@pytest.mark.parametrize("bundle", [GOOD, "labelled.archbundle"])
@pytest.mark.parametrize("flags", [[], ["--json"]])
def test_inspect_prints_what_the_typescript_cli_prints(folder, bundle, flags):
    mine, theirs = py(folder, "inspect", bundle, *flags), ts(folder, "inspect", bundle, *flags)
    assert (mine.returncode, mine.stderr) == (0, "")
    assert theirs.returncode == 0
    assert mine.stdout == theirs.stdout


def test_inspect_shows_the_bundle(folder):
    text = py(folder, "inspect", "labelled.archbundle").stdout
    assert "class:      MLP (schema urn:archbundle:architecture:MLP, version 1)" in text
    assert 'labels "cat", "say \\"hi\\"", "é"' in text
    assert "scheduler:  StepLR {\"gamma\":0.5,\"stepSize\":1}" in text
    assert re.search(r"^fc1/kernel +float32 +\[16, 6\] +384$", text, re.M)
    assert re.search(r"^EPOCH +STEP +LOSS", text, re.M)
    summary = json.loads(py(folder, "inspect", "--json", "labelled.archbundle").stdout)
    assert (summary["parameters"], summary["epoch"], summary["optimizer"]["class"]) == (155, 1, "SGD")
    assert [t["shape"] for t in summary["tensors"]][:2] == [[16, 6], [6]]


def test_a_bundle_from_a_pipe_is_read_whole(folder):
    # A pipe cannot be memory-mapped and has no size; its bytes are the bundle.
    data = (folder / GOOD).read_bytes()
    assert len(data) < 65536  # fits the pipe's buffer, so it can be written before the reader starts
    read_end, write_end = os.pipe()
    os.write(write_end, data)
    os.close(write_end)
    try:
        done = py(folder, "validate", "/dev/stdin", stdin=read_end)
    finally:
        os.close(read_end)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(f"ok    /dev/stdin (MLP, 6 tensors, {(folder / GOOD).stat().st_size:,} bytes, ")


@pytest.mark.parametrize("args, message", [
    (["validate"], "validate: expected at least one bundle file"),
    (["validate", "--bogus", GOOD], "validate: Unknown option '--bogus'"),
    (["validate", "-json", GOOD], "validate: Unknown option '-json'"),
    (["inspect"], "inspect: expected one bundle file, received 0"),
    (["inspect", GOOD, GOOD], "inspect: expected one bundle file, received 2"),
    (["frobnicate"], 'unknown command "frobnicate"'),
])
def test_usage_errors_exit_2_with_the_usage_on_stderr(folder, args, message):
    done = py(folder, *args)
    assert (done.returncode, done.stdout) == (2, "")
    assert message in done.stderr
    assert "Usage:" in done.stderr or "--help" in done.stderr
    assert "Traceback" not in done.stderr


def test_help_and_version(folder):
    bare = py(folder)
    assert bare.returncode == 2 and "Usage: python3 -m archbundle <command>" in bare.stdout
    for args in (["--help"], ["validate", "--help"], ["inspect", "-h"]):
        done = py(folder, *args)
        assert done.returncode == 0 and done.stdout.startswith("Usage: python3 -m archbundle"), args
    version = py(folder, "--version")
    assert (version.returncode, version.stdout) == (0, f"archbundle-py {json.loads((REPO / 'package.json').read_text())['version']}\n")


@pytest.mark.parametrize("command", ["inspect", "validate"])
def test_an_unreadable_bundle_is_one_line_and_exit_1(folder, command):
    done = py(folder, command, "missing.archbundle")
    assert done.returncode == 1
    out = done.stdout if command == "validate" else done.stderr
    assert re.fullmatch(r".*E_IO: cannot open bundle \S+missing\.archbundle: ENOENT: no such file or directory\n", out)
    assert "Traceback" not in done.stderr


def test_an_unexpected_error_is_one_line_and_its_stack_on_verbose(folder, tmp_path):
    # No published schemas: an installation problem, not the bundle's, so no E_ code.
    broken_install = {"ARCHBUNDLE_PUBLISHED": str(tmp_path)}
    done = py(folder, "validate", GOOD, env=broken_install)
    assert done.returncode == 1
    assert re.fullmatch(r"python3 -m archbundle validate: unexpected error: [^\n]+\n", done.stderr), done.stderr
    verbose = py(folder, "validate", GOOD, "--verbose", env=broken_install)
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr


@pytest.mark.parametrize("args, status", [
    (["inspect", GOOD], 0), (["inspect", "--json", GOOD], 0),
    (["validate", GOOD, "checksum.archbundle"], 1), (["validate", "--json", GOOD], 0), (["--help"], 0),
])
def test_a_closed_stdout_ends_quietly(folder, args, status):
    # The pipe's read end is closed before the command starts, so its first write fails (EPIPE),
    # as under `| head -1` once head has exited.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = py(folder, *args, stdout=write_end, stderr=subprocess.PIPE)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (status, "")


def test_validate_does_not_import_torch(folder):
    code = ("import runpy, sys\n"
            "sys.argv = ['archbundle', 'validate', sys.argv[1]]\n"
            "try:\n    runpy.run_module('archbundle', run_name='__main__')\n"
            "except SystemExit as end:\n    status = end.code\n"
            "print(status, sorted(m for m in sys.modules if m.split('.')[0] == 'torch'))\n")
    done = subprocess.run([sys.executable, "-c", code, GOOD], cwd=folder, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO / "python")}, timeout=120)
    assert done.stdout.splitlines()[-1] == "0 []", done.stdout + done.stderr



def test_numbers_and_json_are_written_as_javascript_writes_them():
    # What inspect's text shows: String(x), x.toPrecision(4) for metrics, JSON.stringify for
    # arguments. With exact ties (1.0625, 2.5625: JavaScript rounds up, Python's format to even),
    # exponent limits (1e-7, 1e21) and near-rollovers (9.9995).
    from archbundle.cli_format import number_text, stringify, to_precision
    values = [0.011691229000000022, 1026.410482593402, 0.05, 0.125, 1.0625, 2.5625, 0.0001234567, 1.2345e-7, 99999, 12345.6,
              9.9995, 0.00099995, -3.14159, 1e21, 123456789012, 2.5e-300, 1.7976931348623157e308, 5e-324,
              1, 10, 0.000001, 9.99996e-7, 1e-5, 0]
    document = {"values": values, "nested": {"z": [], "y": {}, "text": 'é\u0001"\\\u2028'}, "flag": True, "none": None}
    script = ("const v = JSON.parse(process.argv[1]);"
              "console.log(JSON.stringify([v.values.map((x) => x.toPrecision(4)), v.values.map(String),"
              " JSON.stringify(v), JSON.stringify(v, null, 2)]));")
    done = subprocess.run(["node", "-e", script, json.dumps(document)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    precision, strings, compact, indented = json.loads(done.stdout)
    assert [to_precision(x, 4) for x in values] == precision
    assert [number_text(x) for x in values] == strings
    assert (stringify(document), stringify(document, 2)) == (compact, indented)
