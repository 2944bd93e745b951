"""Ships archbundle's published files (schemas, architecture schemas, PyTorch mappings,
package.json) inside the Python package as `archbundle/_published/`, copied at build time from
the repository (or npm package) this folder sits in, or from $ARCHBUNDLE_PUBLISHED, so that an
installed package validates against exactly what its source publishes. A build that finds no
published files fails: a package without them could check nothing."""
import os
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

sys.path.insert(0, str(Path(__file__).resolve().parent / "archbundle"))
from published import PUBLISHED_GLOBS, files_in  # noqa: E402  (a module without dependencies)

# What every source of published files has; the other patterns may legitimately match nothing
# (a repository without, say, scheduler schemas would still be one).
REQUIRED_GLOBS = ("schemas/*.schema.json", "architectures/*/schema.json", "src/core/optimizers/*.schema.json", "package.json")


def published_source() -> Path:
    root = Path(os.environ.get("ARCHBUNDLE_PUBLISHED") or Path(__file__).resolve().parent.parent)
    missing = [pattern for pattern in REQUIRED_GLOBS if not files_in(root, pattern)]
    if missing:
        sys.exit(f"archbundle: no published files ({', '.join(missing)}) in {root}; build from the "
                 "repository's python/ folder, or set ARCHBUNDLE_PUBLISHED to a folder holding them")
    return root


class BuildWithPublished(build_py):
    def run(self):
        super().run()
        root = published_source()
        target = Path(self.build_lib) / "archbundle" / "_published"
        shutil.rmtree(target, ignore_errors=True)  # nothing left over from an earlier build
        for pattern in PUBLISHED_GLOBS:
            for source in files_in(root, pattern):
                # kept in the repository's layout, whichever layout the source has
                relative = source.relative_to(root)
                destination = target / (relative.relative_to("dist") if relative.parts[0] == "dist" else relative)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)


setup(cmdclass={"build_py": BuildWithPublished})
