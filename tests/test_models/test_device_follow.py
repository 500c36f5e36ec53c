"""Tensors VOST's code creates follow the input's device and dtype: every
tensor factory called from ``vost/`` during a training step and a
prediction (model, head, post-processing) names its ``device`` (or copies
a tensor's: ``new_*``, ``*_like``), and a floating one its ``dtype``. On a
GPU a factory without ``device`` makes a CPU tensor and a device mismatch;
this checks on the CPU what would break there."""
import os.path as osp
import traceback

import pytest
import torch
from torch.overrides import TorchFunctionMode

import vost
from vost.testing import build_tiny_model, demo_sg_track_inputs

VOST_DIR = osp.dirname(osp.abspath(vost.__file__))
FACTORIES = {
    torch.zeros, torch.ones, torch.empty, torch.full, torch.arange,
    torch.tensor, torch.as_tensor, torch.linspace, torch.eye, torch.rand,
    torch.randn, torch.randint
}


class FactoryWatch(TorchFunctionMode):
    """Records factory calls from VOST code without ``device`` (or, for a
    floating result, without ``dtype``), with the calling line."""

    def __init__(self):
        super().__init__()
        self.calls = 0
        self.bad = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if func not in FACTORIES:
            return out
        for frame in reversed(traceback.extract_stack()[:-1]):
            path = osp.abspath(frame.filename)
            if not path.startswith(VOST_DIR + osp.sep):
                continue
            if osp.join(VOST_DIR, 'testing') in path:
                break
            self.calls += 1
            floating = torch.is_tensor(out) and out.is_floating_point()
            if 'device' not in kwargs or (floating and 'dtype' not in kwargs):
                rel = osp.relpath(path, VOST_DIR)
                self.bad.add(f'{rel}:{frame.lineno} torch.{func.__name__}')
            break
        return out


def test_watch_sees_a_bad_factory():
    watch = FactoryWatch()
    code = compile('torch.zeros(3)', osp.join(VOST_DIR, 'fake.py'), 'exec')
    with watch:
        exec(code, {'torch': torch})
        torch.zeros(2)  # from the test, not from vost/: not counted
    assert watch.bad == {'fake.py:1 torch.zeros'}


@pytest.mark.parametrize('task', ['sgdet', 'sgcls', 'predcls'])
def test_train_and_predict_make_tensors_on_the_input_device(task):
    torch.manual_seed(0)
    model = build_tiny_model(task)
    data = demo_sg_track_inputs(batch_size=2, seed=1)
    watch = FactoryWatch()
    with watch:
        batch = model.data_preprocessor(data, True)
        losses = model.loss(batch['inputs'], batch['data_samples'])
        model.eval()
        batch = model.data_preprocessor(data, False)
        with torch.no_grad():
            results = model.predict(batch['inputs'], batch['data_samples'])
    assert losses and len(results) == 2
    assert watch.calls > 0  # the watch saw VOST's own factory calls
    assert watch.bad == set()
