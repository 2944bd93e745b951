"""A bundle trained by `archbundle train` gives through archbundle.torch.to_torch the logits
`archbundle predict` gives, for every architecture and normalisation."""
import numpy as np
import pytest
import torch

import archbundle
import archbundle.torch as abt
from torch_support import case_id, cases, nhwc_inputs, predict, relative_difference, train

torch.set_num_threads(1)


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_to_torch_gives_archbundles_logits(tmp_path, case):
    name, args = case
    bundle_path = train(tmp_path, name, args)
    bundle = archbundle.read(bundle_path)
    model = abt.to_torch(bundle)
    assert not model.training
    if args.get("normalization") == "bn":
        # Training moved the statistics, so a wrong layout or name of them would show.
        assert any(not np.allclose(v, 0) for k, v in bundle.weights.items() if k.endswith("moving_mean"))
    inputs, x = nhwc_inputs(tmp_path, args["resolution"])
    expected = predict(bundle_path, inputs)
    with torch.no_grad():
        logits = model(torch.from_numpy(x).permute(0, 3, 1, 2)).numpy()
    assert logits.shape == expected.shape
    assert relative_difference(logits, expected) < 1e-4
