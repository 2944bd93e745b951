"""`pip install ./python` without any package index, for real: built from a copy of the
checkout (so that setuptools' build/ and *.egg-info stay out of the repository), installed into
a --target folder and into a venv over Debian's packages, then run from outside the repository
with nothing of it on the path."""
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from archbundle.published import PUBLISHED_GLOBS
from bundle_files import broken_copies, trained_bundle
from torch_support import REPO

# What a build may leave in a source folder; never copied, and never to appear in the repository's.
BUILD_LEFTOVERS = ("build", "dist", "*.egg-info", "__pycache__")


def pip(*args: str, python: str = sys.executable, cwd: Path) -> subprocess.CompletedProcess:
    # No index, and none of this machine's pip settings (find-links folders, extra indexes,
    # constraints): what the install finds is the source and Debian's packages, nothing else.
    env = {k: v for k, v in _clean_env().items() if not k.startswith("PIP_")}
    return subprocess.run([python, "-m", "pip", *args, "--no-index", "--disable-pip-version-check"],
                          cwd=cwd, env={**env, "PIP_CONFIG_FILE": os.devnull}, capture_output=True, text=True, timeout=300)


def _clean_env(**extra: str) -> dict:
    """The environment without anything pointing at the repository."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ARCHBUNDLE_PUBLISHED")}
    return {**env, **extra}


def _copy_checkout(target: Path, with_published: bool = True, npm_layout: bool = False) -> Path:
    """python/ and, with_published, the published files, laid out as in the repository or, with
    npm_layout, as in an installed npm package (src/'s files compiled under dist/src/)."""
    if with_published:
        for pattern in PUBLISHED_GLOBS:
            for source in REPO.glob(pattern):
                relative = source.relative_to(REPO)
                destination = target / ("dist" / relative if npm_layout and relative.parts[0] == "src" else relative)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)
    shutil.copytree(REPO / "python", target / "python", ignore=shutil.ignore_patterns(*BUILD_LEFTOVERS))
    return target / "python"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The wheel and a --target install of the checkout's copy."""
    root = tmp_path_factory.mktemp("install")
    source = _copy_checkout(root / "checkout")
    wheel = pip("wheel", "--no-build-isolation", "--no-deps", "-w", str(root / "wheels"), str(source), cwd=root)
    assert wheel.returncode == 0, wheel.stdout + wheel.stderr
    target = root / "target"
    install = pip("install", "--no-build-isolation", "--no-deps", "--target", str(target), str(source), cwd=root)
    assert install.returncode == 0, install.stdout + install.stderr
    (wheel_path,) = (root / "wheels").glob("archbundle-*.whl")
    return {"root": root, "wheel": wheel_path, "target": target}


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    """A folder outside the repository holding a bundle trained by the TS CLI and a broken copy."""
    folder = tmp_path_factory.mktemp("elsewhere")
    assert REPO not in folder.resolve().parents
    shutil.copyfile(trained_bundle(folder / "train"), folder / "good.archbundle")
    broken_copies(folder / "good.archbundle", folder)
    return folder


def test_the_wheel_carries_the_published_files_and_no_tests(built):
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = set(wheel.namelist())
        published = [p for pattern in PUBLISHED_GLOBS for p in REPO.glob(pattern)]
        assert any(p.name == "bundle-manifest.schema.json" for p in published)
        for path in published:
            name = f"archbundle/_published/{path.relative_to(REPO).as_posix()}"
            assert name in names
            assert wheel.read(name) == path.read_bytes(), name
        assert "archbundle/cli.py" in names and "archbundle/torch/models.py" in names
        assert not [n for n in names if n.startswith(("tests/", "conftest"))]
        entry_points = wheel.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
        assert "archbundle-py = archbundle.cli:main" in entry_points


def test_the_target_install_validates_from_outside_the_repository(built, outside):
    env = _clean_env(PYTHONPATH=str(built["target"]))
    good = subprocess.run([sys.executable, "-m", "archbundle", "validate", "good.archbundle"], cwd=outside, env=env,
                          capture_output=True, text=True, timeout=120)
    assert (good.returncode, good.stderr) == (0, "")
    assert good.stdout.startswith("ok    good.archbundle (MLP, 6 tensors, ")
    bad = subprocess.run([sys.executable, "-m", "archbundle", "validate", "checksum.archbundle"], cwd=outside, env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert bad.stdout.startswith("FAIL  checksum.archbundle: E_CHECKSUM: ")


def test_the_installed_package_reads_its_own_copy_of_the_published_files(built, outside):
    code = ("import json, importlib.metadata, archbundle, archbundle.published as p\n"
            "print(json.dumps({'module': archbundle.__file__, 'published': str(p.published_root()),\n"
            "                  'version': archbundle.__version__, 'metadata': importlib.metadata.version('archbundle'),\n"
            "                  'class': archbundle.read('good.archbundle').class_name}))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=outside, env=_clean_env(PYTHONPATH=str(built["target"])),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    target = built["target"].resolve()
    assert Path(found["module"]).resolve() == target / "archbundle" / "__init__.py"
    assert Path(found["published"]).resolve() == target / "archbundle" / "_published"
    assert found["version"] == found["metadata"]
    assert found["class"] == "MLP"


def test_a_venv_over_debians_packages_gets_the_archbundle_py_command(built, outside):
    # --system-site-packages: numpy and jsonschema (the declared dependencies) come from Debian,
    # so pip resolves them without an index; --without-pip: the system's pip does the install.
    venv = built["root"] / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    python = str(venv / "bin" / "python")
    install = pip("install", str(built["wheel"]), python=python, cwd=built["root"])
    assert install.returncode == 0, install.stdout + install.stderr
    done = subprocess.run([str(venv / "bin" / "archbundle-py"), "validate", "good.archbundle", "garbage.archbundle"],
                          cwd=outside, env=_clean_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[0].startswith("ok    good.archbundle (MLP")
    assert done.stdout.splitlines()[1].startswith("FAIL  garbage.archbundle: E_NOT_TAR: ")


def test_a_build_without_the_published_files_fails_and_says_why(tmp_path):
    source = _copy_checkout(tmp_path / "lonely", with_published=False)
    done = pip("wheel", "--no-build-isolation", "--no-deps", "-w", str(tmp_path / "wheels"), str(source), cwd=tmp_path)
    assert done.returncode != 0
    assert "no published files" in done.stdout + done.stderr
    assert not list(tmp_path.glob("wheels/*.whl"))


def test_a_build_from_an_npm_packages_layout_keeps_the_repositorys(tmp_path):
    # ARCHBUNDLE_PUBLISHED may name an installed npm package, whose optimizer and scheduler
    # schemas sit under dist/src/: the wheel must carry them where the package looks.
    source = _copy_checkout(tmp_path / "npm", npm_layout=True)
    done = pip("wheel", "--no-build-isolation", "--no-deps", "-w", str(tmp_path / "wheels"), str(source), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = (tmp_path / "wheels").glob("archbundle-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    expected = {f"archbundle/_published/{p.relative_to(REPO).as_posix()}" for pattern in PUBLISHED_GLOBS for p in REPO.glob(pattern)}
    assert "archbundle/_published/src/core/optimizers/adam.schema.json" in expected
    assert expected <= names, sorted(expected - names)
