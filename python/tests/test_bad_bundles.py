"""The hand-made bad bundles of the TypeScript tests (test/helpers/bad-bundles.ts, written to
test/fixtures/bad-bundles/ by `npm run fixtures:bad-bundles`), refused by the Python package
with the TypeScript reader's codes: 'read' cases by archbundle.read, from a path, an open file and bytes;
'load' cases only when archbundle.torch builds the model, optimizer or scheduler, as State.load
does."""
import json
import re

import pytest

import archbundle

from bundle_files import SHARED_BAD_BUNDLES as FOLDER
from torch_support import REPO as ROOT

CASES = json.loads((FOLDER / "index.json").read_text("utf-8"))["cases"]
READ = [c for c in CASES if c["stage"] == "read"]
LOAD = [c for c in CASES if c["stage"] == "load"]


def documented_codes():
    """The codes of the table in §6 of docs/bundle-format.md: every backticked E_ code of its last column."""
    doc = (ROOT / "docs" / "bundle-format.md").read_text("utf-8")
    section = next(s for s in re.split(r"^## ", doc, flags=re.M) if s.startswith("6. "))
    codes = set()
    for line in section.splitlines():
        if line.startswith("| "):
            codes.update(re.findall(r"`(E_[A-Z_]+)`", line.split(" | ")[-1]))
    return codes


def refused(read, code):
    with pytest.raises(archbundle.BundleError) as caught:
        read()
    assert caught.value.code == code, str(caught.value)


def test_the_index_covers_every_code_of_section_6():
    documented = documented_codes()
    assert len(documented) >= 20, documented
    assert documented - {c["code"] for c in CASES} == set()


def test_the_index_lists_exactly_the_fixture_files():
    assert sorted(c["file"] for c in CASES) == sorted(p.name for p in FOLDER.glob("*.bundle"))


@pytest.mark.parametrize("case", READ, ids=[c["id"] for c in READ])
def test_read_cases_are_refused_by_read(case):
    path = FOLDER / case["file"]
    refused(lambda: archbundle.read(path), case["code"])
    with open(path, "rb") as handle:
        refused(lambda: archbundle.read(handle), case["code"])
    refused(lambda: archbundle.read(path.read_bytes()), case["code"])


def _build(bundle):
    """What State.load builds, in its order: the model, then the optimizer, then the scheduler."""
    from archbundle.torch import to_torch, to_torch_optimizer, to_torch_scheduler
    model = to_torch(bundle)
    if bundle.optimizer is not None:
        optimizer = to_torch_optimizer(bundle, model)
        to_torch_scheduler(bundle.scheduler, optimizer)


@pytest.mark.parametrize("case", LOAD, ids=[c["id"] for c in LOAD])
def test_load_cases_are_read_then_refused_by_archbundle_torch(case):
    pytest.importorskip("torch")
    path = FOLDER / case["file"]
    bundle = archbundle.read(path)
    assert archbundle.read(path.read_bytes()).arch == bundle.arch
    refused(lambda: _build(bundle), case["code"])


@pytest.mark.parametrize("limits, code", [
    ({"max_json_bytes": 64}, "E_ENTRY_TOO_LARGE"),
    ({"max_bin_bytes": 16}, "E_ENTRY_TOO_LARGE"),
    ({"max_json_depth": 1}, "E_JSON_DEPTH"),
    ({"max_tensors": 3}, "E_TENSOR_TABLE"),
    ({"max_rank": 1}, "E_TENSOR_TABLE"),
], ids=["json-bytes", "bin-bytes", "json-depth", "tensors", "rank"])
def test_lowered_caps_refuse_with_the_typescript_codes(limits, code):
    # a load case reads fine: its defect is only for the model to find
    path = FOLDER / "weights-mismatch-shape.bundle"
    archbundle.read(path)
    refused(lambda: archbundle.read(path, limits=limits), code)
    refused(lambda: archbundle.read(path, limits=archbundle.reader.ReadLimits(**limits)), code)
