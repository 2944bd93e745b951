"""A bundle written by archbundle.torch.save from a model PyTorch has trained a few steps passes
`archbundle validate --deep`, predicts the PyTorch model's logits with `archbundle predict`, and
resumes with `archbundle train --resume`, for every architecture and normalisation."""
import re

import numpy as np
import pytest
import torch

import archbundle
import archbundle.torch as abt
from torch_support import (STEPS_PER_EPOCH, case_id, cases, cli, input_contract, nhwc_inputs, predict,
                           relative_difference, train_config)

torch.set_num_threads(1)
TORCH_STEPS = 3

# SGD and Adam, each beside the schedulers archbundle.torch maps, taken in turn over the cases.
SETUPS = [
    (lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4),
     lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=1, gamma=0.5)),
    (lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99)),
     lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)),
    (lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.1),
     lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[2, 1, 2], gamma=0.5)),
    (lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=1e-3, amsgrad=True),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=1e-4)),
]


def _train_in_torch(index: int, name: str, args: dict):
    """A fresh model trained TORCH_STEPS steps on a random batch, then one scheduler epoch."""
    torch.manual_seed(index)
    model = abt.create_model(name, args)
    make_optimizer, make_scheduler = SETUPS[index % len(SETUPS)]
    optimizer = make_optimizer(model.parameters())
    scheduler = make_scheduler(optimizer)
    c, h, w = args["resolution"]
    x, y = torch.rand(6, c, h, w), torch.arange(6) % args["classes"]
    model.train()
    for _ in range(TORCH_STEPS):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    scheduler.step()
    return model.eval(), optimizer, scheduler


@pytest.mark.parametrize("index,case", list(enumerate(cases())), ids=lambda v: v if isinstance(v, int) else case_id(v))
def test_a_pytorch_bundle_validates_predicts_and_resumes(tmp_path, index, case):
    name, args = case
    model, optimizer, scheduler = _train_in_torch(index, name, args)
    path = tmp_path / "torch.archbundle"
    saved = abt.save(path, model, optimizer, scheduler, epoch=1, input=input_contract(args), step=TORCH_STEPS)
    if args.get("normalization") == "bn":
        # Training moved the statistics, so a wrong layout or name of them would change predict's logits.
        assert any(not np.allclose(v, 0) for k, v in saved.weights.items() if k.endswith("moving_mean"))
        assert any(not np.allclose(v, 1) for k, v in saved.weights.items() if k.endswith("moving_variance"))

    done = cli("validate", "--deep", str(path), check=False)
    assert done.returncode == 0, done.stdout + done.stderr

    inputs, x = nhwc_inputs(tmp_path, args["resolution"])
    with torch.no_grad():
        logits = model(torch.from_numpy(x).permute(0, 3, 1, 2)).numpy()
    assert relative_difference(predict(path, inputs), logits) < 1e-4

    # The config names the same model, optimizer and scheduler, so archbundle notes no difference
    # unless save wrote other arguments than archbundle's own (complete, normalised) ones.
    config = train_config(tmp_path, name, args, {"class": saved.optimizer.class_name, "args": saved.optimizer.args},
                          epochs=2, scheduler={"class": saved.scheduler.class_name, "args": saved.scheduler.args})
    done = cli("train", "--resume", str(path), "--config", str(config))
    assert re.search(r"^note:", done.stdout, re.M) is None, done.stdout
    assert not (tmp_path / "out" / "epoch-0001.archbundle").exists()
    resumed = archbundle.read(tmp_path / "out" / "epoch-0002.archbundle")
    assert resumed.training["epoch"] == 2
    assert resumed.training["globalStep"] == TORCH_STEPS + STEPS_PER_EPOCH
    assert resumed.optimizer.step == TORCH_STEPS + STEPS_PER_EPOCH
    assert resumed.scheduler.state["lastEpoch"] == 2
    # The second epoch ran at the rate the saved scheduler set for it, and stepped it once more.
    assert resumed.training["metrics"][-1]["learningRate"] == saved.optimizer.learning_rate
    assert any(not np.array_equal(resumed.weights[k], v) for k, v in saved.weights.items())
    # archbundle's scheduler continued where PyTorch's stopped: the next rate is PyTorch's next rate
    # (CosineAnnealingLR: closed form against PyTorch's recursion, equal up to rounding).
    scheduler.step()
    assert resumed.scheduler.state["learningRate"] == pytest.approx(scheduler.get_last_lr()[0], rel=1e-12)
    assert resumed.scheduler.state["learningRate"] != saved.scheduler.state["learningRate"]


def _lenet():
    name, args = cases()[0]
    return abt.create_model(name, args), args


@pytest.mark.parametrize("what,code", [
    ("scheduler of another optimizer", "E_STATE_MISMATCH"),
    ("scheduler without optimizer", "E_INVALID_ARGS"),
    ("unmapped scheduler", "E_UNKNOWN_CLASS"),
    ("two parameter groups", "E_STATE_MISMATCH"),
    ("maximize", "E_STATE_MISMATCH"),
    ("contract of another resolution", "E_INPUT_MISMATCH"),
])
def test_save_refuses_what_archbundle_could_not_resume(tmp_path, what, code):
    model, args = _lenet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, maximize=what == "maximize")
    scheduler, contract = None, input_contract(args)
    if what == "scheduler of another optimizer":
        scheduler = torch.optim.lr_scheduler.StepLR(torch.optim.SGD(model.parameters(), lr=0.1), step_size=1)
    elif what == "scheduler without optimizer":
        scheduler, optimizer = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1), None
    elif what == "unmapped scheduler":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
    elif what == "two parameter groups":
        parameters = list(model.parameters())
        optimizer = torch.optim.SGD([{"params": parameters[:1]}, {"params": parameters[1:], "lr": 0.01}], lr=0.1)
    elif what == "contract of another resolution":
        contract["shape"] = [28, 28, 1]
    with pytest.raises(archbundle.BundleError) as caught:
        abt.save(tmp_path / "b.archbundle", model, optimizer, scheduler, epoch=1, input=contract)
    assert caught.value.code == code, str(caught.value)
    assert list(tmp_path.iterdir()) == []
