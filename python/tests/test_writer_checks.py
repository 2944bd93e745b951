"""archbundle.write refuses, with the TypeScript writer's codes, what archbundle would not write or
load, before it writes a byte: no file and no temporary file at the target, nothing in a stream."""
import copy
import io
import os

import numpy as np
import pytest
import torch

import archbundle
import archbundle.torch as abt
from archbundle.errors import ArchbundleError, BundleError
from torch_support import input_contract

torch.set_num_threads(1)
ARGS = {"classes": 3, "resolution": [1, 12, 12], "filters": [2, 3], "units": [4]}


@pytest.fixture(scope="module")
def valid() -> archbundle.Bundle:
    """A LeNet with Adam state after one step, a StepLR, an input contract."""
    torch.manual_seed(0)
    model = abt.create_model("LeNet", ARGS)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2)
    torch.nn.functional.cross_entropy(model(torch.rand(2, 1, 12, 12)), torch.tensor([0, 1])).backward()
    optimizer.step()
    return abt.to_bundle(model, optimizer, scheduler, epoch=1, input=input_contract(ARGS))


def _first_slot(bundle):
    return next(iter(bundle.optimizer.state))


# (what is wrong, how to break a copy of the valid bundle, expected code, expected pointers)
def _unknown_class(b): b.arch["class"] = "Transformer"
def _missing_argument(b): del b.arch["args"]["pooling"]
def _invalid_arguments(b): b.arch["args"].update(classes=0, pooling="median")
def _other_schema_version(b): b.arch["schemaVersion"] += 1
def _other_schema_id(b): b.arch["schemaId"] = "urn:archbundle:arch:MLP"
def _contract_misfit(b): b.input.update(labels=["a", "b"], shape=[28, 28, 1])
def _contract_layout(b): b.input["layout"] = "NCHW"
def _float64_weight(b): b.weights["conv1/kernel"] = b.weights["conv1/kernel"].astype(np.float64)
def _int64_weight(b): b.weights["conv1/bias"] = np.zeros(2, dtype=np.int64)
def _too_many_dimensions(b): b.weights["conv1/bias"] = np.zeros([1] * 9, dtype=np.float32)
def _list_weight(b): b.weights["conv1/bias"] = [0.0, 0.0]
def _unknown_optimizer(b): b.optimizer.class_name = "Lion"
def _optimizer_arguments(b): b.optimizer.args.update(beta1=2, momentum=0.9)
def _incomplete_optimizer_arguments(b): del b.optimizer.args["amsgrad"]
def _negative_step(b): b.optimizer.step = -1
def _nan_learning_rate(b): b.optimizer.learning_rate = float("nan")
def _scheduler_without_optimizer(b): b.optimizer = None
def _scheduler_arguments(b): b.scheduler.args["stepSize"] = 0
def _scheduler_state(b): del b.scheduler.state["lastEpoch"]
def _numpy_scalar_in_training(b): b.training["globalStep"] = np.int64(3)
def _infinite_metric(b): b.training["metrics"] = [{"loss": float("inf")}]


def _nesterov_without_momentum(b):
    b.optimizer.class_name = "SGD"
    b.optimizer.args = {"learningRate": 0.1, "momentum": 0, "dampening": 0, "nesterov": True, "weightDecay": 0}
    b.optimizer.state = {}


def _bad_slots(b):
    slot = _first_slot(b)
    weight, _, name = slot.rpartition("/")
    state = b.optimizer.state
    state["logits/gamma/exp_avg"] = np.zeros(3, np.float32)               # no such weight
    state[f"{weight}/momentum_buffer"] = np.zeros_like(state[slot])       # not an Adam slot
    state[f"{weight}/{name}"] = np.zeros(7, np.float32)                   # not the weight's shape
    state["conv1/bias/exp_avg_sq"] = np.zeros(2, np.int32)                # storable, but not float32


def _weight_lacking_a_slot(b):
    del b.optimizer.state["conv1/bias/exp_avg_sq"]


REFUSALS = [
    (_unknown_class, "E_UNKNOWN_CLASS", []),
    (_missing_argument, "E_INVALID_ARGS", ["/pooling"]),
    (_invalid_arguments, "E_INVALID_ARGS", ["/classes", "/pooling"]),
    (_other_schema_version, "E_SCHEMA_VERSION", []),
    (_other_schema_id, "E_SCHEMA_VERSION", []),
    (_contract_misfit, "E_INPUT_MISMATCH", ["/labels", "/shape"]),
    (_contract_layout, "E_JSON_SCHEMA", ["/layout"]),
    (_float64_weight, "E_TENSOR_TABLE", ["/tensors/0/dtype"]),
    (_int64_weight, "E_TENSOR_TABLE", ["/tensors/1/dtype"]),
    (_too_many_dimensions, "E_TENSOR_TABLE", ["/tensors/1/shape"]),
    (_list_weight, "E_TENSOR_TABLE", ["/tensors/1"]),
    (_unknown_optimizer, "E_UNKNOWN_CLASS", []),
    (_optimizer_arguments, "E_INVALID_ARGS", ["/beta1", "/momentum"]),
    (_incomplete_optimizer_arguments, "E_INVALID_ARGS", ["/amsgrad"]),
    (_nesterov_without_momentum, "E_INVALID_ARGS", ["/nesterov"]),
    (_negative_step, "E_JSON_SCHEMA", ["/step"]),
    (_nan_learning_rate, "E_JSON_SCHEMA", ["/learningRate"]),
    (_bad_slots, "E_STATE_MISMATCH", None),
    (_weight_lacking_a_slot, "E_STATE_MISMATCH", ["/tensors"]),
    (_scheduler_without_optimizer, "E_INVALID_ARGS", []),
    (_scheduler_arguments, "E_INVALID_ARGS", ["/stepSize"]),
    (_scheduler_state, "E_STATE_MISMATCH", ["/lastEpoch"]),
    (_numpy_scalar_in_training, "E_JSON_SCHEMA", ["/globalStep"]),
    (_infinite_metric, "E_JSON_SCHEMA", ["/metrics/0/loss"]),
]


def test_the_valid_bundle_is_written_and_reads_back(tmp_path, valid):
    archbundle.write(tmp_path / "valid.archbundle", valid)
    again = archbundle.read(tmp_path / "valid.archbundle")
    assert again.optimizer.state.keys() == valid.optimizer.state.keys()
    assert os.listdir(tmp_path) == ["valid.archbundle"]


@pytest.mark.parametrize("breaks,code,pointers", REFUSALS, ids=[b.__name__.strip("_") for b, _, _ in REFUSALS])
def test_write_refuses_before_the_first_byte(tmp_path, valid, breaks, code, pointers):
    bundle = copy.deepcopy(valid)
    breaks(bundle)
    target = tmp_path / "out" / "refused.archbundle"
    target.parent.mkdir()
    with pytest.raises(BundleError) as caught:
        archbundle.write(target, bundle)
    assert caught.value.code == code, str(caught.value)
    if pointers is not None:
        assert sorted({i.pointer for i in caught.value.issues}) == pointers, caught.value.issues
    assert os.listdir(target.parent) == []
    stream = io.BytesIO()
    with pytest.raises(BundleError):
        archbundle.write(stream, bundle)
    assert stream.getvalue() == b""


def test_every_misfitting_slot_is_reported_at_once(valid):
    bundle = copy.deepcopy(valid)
    _bad_slots(bundle)
    with pytest.raises(BundleError) as caught:
        archbundle.write(io.BytesIO(), bundle)
    # The two weights whose slot was refused then lack that slot, as archbundle's loader reports too.
    assert sorted(i.keyword for i in caught.value.issues) == ["dtype", "required", "required", "shape", "slot", "weight"]


def test_a_folder_that_cannot_hold_the_file_is_an_io_error(tmp_path, valid):
    with pytest.raises(ArchbundleError) as caught:
        archbundle.write(tmp_path / "missing" / "b.archbundle", valid)
    assert caught.value.code == "E_IO"
    assert os.listdir(tmp_path) == []
