"""Old bundles: the Python reader migrates arguments and renames layers as the TypeScript reader
does, checked against the TypeScript code itself (its migration chains, `inspect --json` and
`validate --json` on the same files)."""
import json
import subprocess
from pathlib import Path
from typing import Dict

import pytest

import archbundle
from archbundle.migrations import MIGRATIONS
from archbundle.schemas import architecture_schemas
from bundle_files import edit_arch, rebuilt
from torch_support import REPO, NODE_ENV, cases, cli, train

OLD_SIMPLENET = REPO / "test" / "fixtures" / "simplenet-v1-16x16.bundle"


def typescript_chains() -> Dict[str, list]:
    script = ("import { architectures } from './src/core/index.ts';"
              "console.log(JSON.stringify(Object.fromEntries(architectures.names().map((n) => "
              "[n, (architectures.get(n).migrations ?? []).map((m) => [m.from, m.description])]))));")
    done = subprocess.run(["node", "--import", "tsx", "--input-type=module", "-e", script], cwd=REPO, env=NODE_ENV,
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def test_every_typescript_migration_has_its_python_step():
    chains = typescript_chains()
    assert set(chains) == set(architecture_schemas())
    for name, steps in chains.items():
        python = [[m.from_version, m.description] for m in MIGRATIONS.get(name, [])]
        assert python == steps, f"{name}: python/archbundle/migrations.py has {python}, the TypeScript spec {steps}"
        assert [s[0] for s in steps] == list(range(1, architecture_schemas()[name]["x-version"])), f"{name}: a chain from version 1"


def assert_read_like_typescript(path: Path) -> archbundle.Bundle:
    bundle = archbundle.read(path)
    expected = json.loads(cli("inspect", str(path), "--json").stdout)
    assert bundle.args == expected["args"]
    assert bundle.arch["schemaVersion"] == expected["schemaVersion"]
    assert bundle.saved_schema_version == expected["savedSchemaVersion"]
    assert bundle.migrations == expected["migrations"]
    assert bundle.renamed_layers == expected["renamedLayers"]
    assert [(n, list(a.shape)) for n, a in bundle.weights.items()] == [(t["name"], t["shape"]) for t in expected["tensors"]]
    return bundle


def test_a_version_1_simplenet_below_32x32_has_its_last_blocks_renumbered():
    bundle = assert_read_like_typescript(OLD_SIMPLENET)
    assert bundle.renamed_layers["conv13"] == "conv11"
    assert "conv13/kernel" not in bundle.weights and "conv11/kernel" in bundle.weights


def test_a_version_1_wideresnet_gains_its_shortcut_argument(tmp_path):
    name, args = next(c for c in cases() if c[0] == "WideResNet" and c[1]["normalization"] == "bn")
    current = train(tmp_path, name, args).read_bytes()
    old = tmp_path / "wrn-v1.bundle"
    old.write_bytes(rebuilt(current, edit_arch(lambda a: (a.update(schemaVersion=1), a["args"].pop("shortcut")))))
    bundle = assert_read_like_typescript(old)
    assert bundle.args["shortcut"] == "input" and bundle.saved_schema_version == 1
    assert bundle.weights.keys() == archbundle.read(current).weights.keys()


@pytest.mark.parametrize("change, code", [
    (lambda a: a["args"].update(resolution=16), "E_INVALID_ARGS"),  # the migration's layer step cannot read it
    (lambda a: a.update(schemaVersion=3), "E_SCHEMA_VERSION"),
    (lambda a: a.update(schemaVersion=0), "E_JSON_SCHEMA"),
    (lambda a: a.update(schemaId="urn:archbundle:architecture:MLP"), "E_SCHEMA_VERSION"),
    (lambda a: a["args"].pop("dropout"), "E_INVALID_ARGS"),  # incomplete after migration
], ids=["unreadable-by-migration", "newer", "zero", "foreign-schema-id", "incomplete"])
def test_old_bundles_both_readers_refuse_with_one_code(tmp_path, change, code):
    path = tmp_path / "old.bundle"
    path.write_bytes(rebuilt(OLD_SIMPLENET.read_bytes(), edit_arch(change)))
    typescript = json.loads(cli("validate", str(path), "--json", check=False).stdout)[0]
    with pytest.raises(archbundle.BundleError) as caught:
        archbundle.read(path)
    assert (caught.value.code, typescript["error"]["code"]) == (code, code), caught.value.message
