"""Python and TypeScript write the same bytes for the same content, both ways: a bundle the CLI
trained, read by Python and rewritten, is the TypeScript file byte for byte, for every registered
optimizer and scheduler (from the published schemas, so a new one is covered without editing
this file); and a bundle archbundle.torch.save wrote, loaded and saved again by archbundle, is the
Python file byte for byte."""
import io
import json

import pytest
import torch

import archbundle
import archbundle.torch as abt
from archbundle.bundle import Bundle, Optimizer, Scheduler
from archbundle.published import load_published
from archbundle.schemas import class_schemas, with_defaults
from archbundle.torch.schedulers import ARGS as TORCH_SCHEDULERS
from torch_support import cases, input_contract, train, train_steps

torch.set_num_threads(1)


def _rewritten(bundle: Bundle) -> bytes:
    out = io.BytesIO()
    archbundle.write(out, bundle, archbundle_version=bundle.manifest["archbundleVersion"], tfjs_version=bundle.manifest["tfjsVersion"])
    return out.getvalue()


def _rotation():
    """One (optimizer, scheduler) pair per run, each with its schema's last (richest) example,
    rotating both lists until every optimizer and every scheduler has been used."""
    optimizers, schedulers = class_schemas("optimizer"), class_schemas("scheduler")
    o, s = sorted(optimizers), sorted(schedulers)
    return [({"class": o[i % len(o)], "args": optimizers[o[i % len(o)]]["examples"][-1]},
             {"class": s[i % len(s)], "args": schedulers[s[i % len(s)]]["examples"][-1]})
            for i in range(max(len(o), len(s)))]


def test_rewriting_a_trained_bundle_without_scheduler_gives_the_same_bytes(tmp_path):
    name, args = cases()[0]
    path = train(tmp_path, name, args)
    bundle = archbundle.read(path)
    assert bundle.scheduler is None
    assert _rewritten(bundle) == path.read_bytes()


@pytest.mark.parametrize("optimizer,scheduler", _rotation(), ids=lambda v: v["class"])
def test_rewriting_a_trained_bundle_gives_the_same_bytes(tmp_path, optimizer, scheduler):
    name, args = cases()[0]
    train(tmp_path, name, args, optimizer, scheduler, epochs=2)
    for epoch in (1, 2):
        path = tmp_path / "out" / f"epoch-{epoch:04d}.archbundle"
        bundle = archbundle.read(path)
        assert (bundle.optimizer.class_name, bundle.scheduler.class_name) == (optimizer["class"], scheduler["class"])
        assert bundle.optimizer.state, "the optimizer has slots after training"
        assert _rewritten(bundle) == path.read_bytes(), path.name


def _torch_optimizers():
    """Every optimizer src/core/optimizers/torch.json maps and every scheduler archbundle.torch
    maps, each with its schema's richest example, rotating both lists until each was used."""
    names = sorted(k for k in load_published("src/core/optimizers/torch.json") if not k.startswith("$"))
    schedulers = sorted(TORCH_SCHEDULERS)
    return [(names[i % len(names)], schedulers[i % len(schedulers)]) for i in range(max(len(names), len(schedulers)))]


def _example(kind: str, name: str) -> dict:
    schema = class_schemas(kind)[name]
    return with_defaults(schema, schema["examples"][-1])


@pytest.mark.parametrize("optimizer,scheduler", _torch_optimizers(), ids=[f"{o}-{s}" for o, s in _torch_optimizers()])
def test_archbundle_resaves_a_pytorch_bundle_byte_for_byte(tmp_path, optimizer, scheduler):
    name, model_args = cases()[0]
    torch.manual_seed(0)
    model = abt.create_model(name, model_args)
    # PyTorch's optimizer and scheduler come from archbundle's arguments, through the mappings.
    args = _example("optimizer", optimizer)
    rate = args["learningRate"]
    seed = Bundle(arch={}, weights={}, training={}, optimizer=Optimizer(optimizer, args, rate, 0),
                  scheduler=Scheduler(scheduler, _example("scheduler", scheduler), {"lastEpoch": 0, "baseLr": rate, "learningRate": rate}))
    torch_optimizer = abt.to_torch_optimizer(seed, model)
    torch_scheduler = abt.to_torch_scheduler(seed.scheduler, torch_optimizer)
    c, h, w = model_args["resolution"]
    x, y = torch.rand(4, c, h, w), torch.arange(4) % model_args["classes"]
    for _ in range(2):
        torch_optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        torch_optimizer.step()
    torch_scheduler.step()
    path, again = tmp_path / "torch.archbundle", tmp_path / "resaved.archbundle"
    bundle = abt.save(path, model, torch_optimizer, torch_scheduler, epoch=1, input=input_contract(model_args), step=2)
    assert bundle.optimizer.state
    # Zero steps: archbundle loads the bundle into live objects and saves them again.
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps({"shape": [1, h, w, c], "x": [0.0] * (h * w * c), "labels": [0]}))
    train_steps(path, batch, 0, again)
    resaved = archbundle.read(again)
    # archbundle names the TF.js that made its tensors; Python wrote "none" for PyTorch's.
    out = io.BytesIO()
    archbundle.write(out, bundle, tfjs_version=resaved.manifest["tfjsVersion"])
    assert out.getvalue() == again.read_bytes()
