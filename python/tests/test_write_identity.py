"""Python writes the bytes archbundle's TypeScript writer wrote for the same content."""
import io

import archbundle
from torch_support import cases, train


def test_rewriting_a_trained_bundle_gives_the_same_bytes(tmp_path):
    name, args = cases()[0]
    path = train(tmp_path, name, args)
    bundle = archbundle.read(path)
    out = io.BytesIO()
    archbundle.write(out, bundle, archbundle_version=bundle.manifest["archbundleVersion"], tfjs_version=bundle.manifest["tfjsVersion"])
    assert out.getvalue() == path.read_bytes()
    again = archbundle.read(out.getvalue())
    assert again.weights.keys() == bundle.weights.keys()
