"""Training started in PyTorch resumes in archbundle, and the reverse, with the optimizer state
carried over, measured on one fixed batch:

(a) PyTorch k steps → archbundle.torch.save → archbundle's trainStep k steps, against PyTorch 2k steps;
(b) archbundle k steps → archbundle.read → to_torch + to_torch_optimizer → PyTorch k steps, against
    archbundle 2k steps (k, save, load, k more equals 2k bit for bit in archbundle: train-step.test.ts).

Both runs compute in float32 with different summation orders (TF.js' cpu kernels against
PyTorch's), so they agree to rounding, not bit for bit. The difference is the largest, over the
weights, of max |a - b| / max |b|. TOLERANCE bounds it; each case also measures what dropping the
optimizer state at the hand-over would cost, and the tolerance must sit far below that, so the
test tells a carried-over state from a lost one. The figures are printed (pytest -s)."""
import copy
import json

import numpy as np
import pytest
import torch

import archbundle
import archbundle.torch as abt
from archbundle.bundle import Bundle, Optimizer
from archbundle.schemas import class_schemas, with_defaults
from archbundle.torch.weights import model_weights
from archbundle.torch.optim import STEPPED
from archbundle.torch.schedulers import ARGS as TORCH_SCHEDULERS
from torch_support import relative_difference, train, train_steps

torch.set_num_threads(1)
K = 5
# LeNet: convolutions (OIHW ↔ HWIO), dense layers, and one that takes a flattened map (its rows
# reordered between the layouts), with no dropout (random masks) and no batch normalisation: the two
# store different variance estimates (biased in TF.js, unbiased in PyTorch: docs/architectures.md),
# and a bias before it gets only rounding noise as gradient, which Adam scales up to full steps.
MODEL = ("LeNet", {"classes": 3, "resolution": [1, 12, 12], "filters": [3, 4], "units": [6], "activation": "relu"})
# A few float32 roundings, with room for other CPUs and BLAS builds; losing the state at step k
# costs orders of magnitude more (DISCRIMINATION). The measured figures are in docs/python.md.
TOLERANCE = 1e-5
# A lost optimizer state must move the weights at least this many times TOLERANCE.
DISCRIMINATION = 1000

OPTIMIZERS = [
    ("SGD", {"learningRate": 0.05, "momentum": 0.9}),
    ("SGD", {"learningRate": 0.05, "momentum": 0.9, "nesterov": True, "weightDecay": 0.01}),
    ("SGD", {"learningRate": 0.05, "momentum": 0.8, "dampening": 0.1, "weightDecay": 0.01}),
    ("Adam", {"learningRate": 0.01}),
    ("Adam", {"learningRate": 0.01, "beta2": 0.99, "weightDecay": 0.01, "amsgrad": True}),
    ("AdamW", {"learningRate": 0.01, "weightDecay": 0.05}),
    ("RMSprop", {"learningRate": 0.005, "momentum": 0.9, "centered": True}),
]


def _case_id(case) -> str:
    name, args = case
    return name + "".join(f"-{k}" for k in args if k != "learningRate")


def _batch(tmp_path):
    """A fixed batch: NHWC for archbundle (a JSON file for test/helpers/torch-train-steps.ts), NCHW for PyTorch."""
    c, h, w = MODEL[1]["resolution"]
    x = np.random.RandomState(1).rand(8, h, w, c).astype(np.float32)
    labels = np.arange(8) % MODEL[1]["classes"]
    path = tmp_path / "batch.json"
    path.write_text(json.dumps({"shape": list(x.shape), "x": x.ravel().tolist(), "labels": labels.tolist()}))
    return path, torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(labels)


def _torch_optimizer(model, name, args):
    """torch.optim's optimizer for archbundle's arguments, through the published mapping."""
    complete = with_defaults(class_schemas("optimizer")[name], args)
    empty = Bundle(arch={}, weights={}, training={}, optimizer=Optimizer(name, complete, complete["learningRate"], 0))
    return abt.to_torch_optimizer(empty, model)


def _torch_steps(model, optimizer, x, y, steps):
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()


def _difference(a, b) -> float:
    assert a.keys() == b.keys()
    return max(relative_difference(a[k], b[k]) for k in b)


def _report(direction, case, difference, lost):
    print(f"\n{direction}: {_case_id(case)}: max relative weight difference after 2k={2 * K} steps {difference:.2e}; "
          f"with the optimizer state lost at step k {lost:.2e}")
    assert difference < TOLERANCE
    assert lost > DISCRIMINATION * TOLERANCE


@pytest.mark.parametrize("case", OPTIMIZERS, ids=_case_id)
def test_pytorch_training_resumes_in_archbundle(tmp_path, case):
    batch, x, y = _batch(tmp_path)
    torch.manual_seed(0)
    model = abt.create_model(*MODEL)
    optimizer = _torch_optimizer(model, *case)
    _torch_steps(model, optimizer, x, y, K)
    abt.save(tmp_path / "k.archbundle", model, optimizer, step=K)
    stateless = copy.deepcopy(model)
    _torch_steps(model, optimizer, x, y, K)
    train_steps(tmp_path / "k.archbundle", batch, K, tmp_path / "2k.archbundle")
    resumed = archbundle.read(tmp_path / "2k.archbundle")
    assert resumed.optimizer.step == 2 * K
    # What archbundle would compute had the state not come over: PyTorch's k more steps from a fresh optimizer.
    _torch_steps(stateless, _torch_optimizer(stateless, *case), x, y, K)
    expected = model_weights(model)
    _report("PyTorch → archbundle", case, _difference(resumed.weights, expected), _difference(model_weights(stateless), expected))


@pytest.mark.parametrize("case", OPTIMIZERS, ids=_case_id)
def test_archbundle_training_resumes_in_pytorch(tmp_path, case):
    batch, x, y = _batch(tmp_path)
    torch.manual_seed(0)
    model = abt.create_model(*MODEL)
    abt.save(tmp_path / "0.archbundle", model, _torch_optimizer(model, *case))
    train_steps(tmp_path / "0.archbundle", batch, K, tmp_path / "k.archbundle")
    train_steps(tmp_path / "k.archbundle", batch, K, tmp_path / "2k.archbundle")
    at_k = archbundle.read(tmp_path / "k.archbundle")
    assert at_k.optimizer.step == K and at_k.optimizer.state
    resumed = abt.to_torch(at_k)
    optimizer = abt.to_torch_optimizer(at_k, resumed)
    _torch_steps(resumed, optimizer, x, y, K)
    if case[0] in STEPPED:  # PyTorch's SGD keeps no step count
        assert abt.from_torch_optimizer(optimizer, resumed).step == 2 * K, "PyTorch's step counter continued from archbundle's"
    stateless = abt.to_torch(at_k)
    _torch_steps(stateless, _torch_optimizer(stateless, *case), x, y, K)
    expected = archbundle.read(tmp_path / "2k.archbundle").weights
    _report("archbundle → PyTorch", case, _difference(model_weights(resumed), expected), _difference(model_weights(stateless), expected))


@pytest.mark.parametrize("name", sorted(TORCH_SCHEDULERS))
def test_archbundle_schedules_continue_in_pytorch(tmp_path, name):
    """A schedule archbundle ran for an epoch continues in PyTorch with archbundle's next rate."""
    schema = class_schemas("scheduler")[name]
    model_name, model_args = MODEL
    train(tmp_path, model_name, model_args, {"class": "SGD", "args": {"learningRate": 0.1, "momentum": 0.5}},
          {"class": name, "args": schema["examples"][-1]}, epochs=2)
    first, second = (archbundle.read(tmp_path / "out" / f"epoch-{e:04d}.archbundle") for e in (1, 2))
    model = abt.to_torch(first)
    optimizer = abt.to_torch_optimizer(first, model)
    scheduler = abt.to_torch_scheduler(first.scheduler, optimizer)
    assert optimizer.param_groups[0]["lr"] == first.scheduler.state["learningRate"]
    _, x, y = _batch(tmp_path)
    _torch_steps(model, optimizer, x, y, 1)  # an epoch of PyTorch training, then the epoch's scheduler step
    scheduler.step()
    # Closed forms against PyTorch's recursions: equal up to rounding.
    assert optimizer.param_groups[0]["lr"] == pytest.approx(second.scheduler.state["learningRate"], rel=1e-12)
    assert scheduler.last_epoch == second.scheduler.state["lastEpoch"]


def test_the_configured_rate_survives_pytorch_without_a_scheduler(tmp_path):
    # A cosine schedule ends at rate 0: the rate in force and the configured one part ways, and a
    # bundle saved from PyTorch without its scheduler must keep both.
    path = train(tmp_path, *MODEL, optimizer={"class": "Adam", "args": {"learningRate": 0.004}},
                 scheduler={"class": "CosineAnnealingLR", "args": {"tMax": 1}})
    bundle = archbundle.read(path)
    assert (bundle.optimizer.args["learningRate"], bundle.optimizer.learning_rate) == (0.004, 0)
    model = abt.to_torch(bundle)
    abt.save(tmp_path / "again.archbundle", model, abt.to_torch_optimizer(bundle, model), epoch=1)
    again = archbundle.read(tmp_path / "again.archbundle")
    assert again.optimizer.args == bundle.optimizer.args
    assert again.optimizer.learning_rate == 0 and again.optimizer.step == bundle.optimizer.step
