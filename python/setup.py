"""Ships archbundle's published files (schemas, architecture schemas, PyTorch mappings) inside
the Python package, copied from the repository at build time, so an installed package validates
against exactly what the repository it was built from publishes."""
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

sys.path.insert(0, str(Path(__file__).resolve().parent / "archbundle"))
from published import PUBLISHED_GLOBS  # noqa: E402  (a module without dependencies)


class BuildWithPublished(build_py):
    def run(self):
        super().run()
        root = Path(__file__).resolve().parent.parent
        target = Path(self.build_lib) / "archbundle" / "_published"
        for pattern in PUBLISHED_GLOBS:
            for source in sorted(root.glob(pattern)):
                destination = target / source.relative_to(root)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)


setup(cmdclass={"build_py": BuildWithPublished})
