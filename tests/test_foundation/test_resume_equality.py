"""Resuming inside an epoch gives the same weights as not stopping."""
import copy
import os.path as osp
import shutil
import time

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _cfg(work_dir, loop='ResumableEpochBasedTrainLoop', rng_hook=True):
    cfg = Config.fromfile(
        osp.join(REPO, 'tests', 'data', 'configs', 'toy_runtime.py'))
    cfg.work_dir = str(work_dir)
    # Random "augmentation" (numpy) and dropout (torch) in every step.
    cfg.train_dataloader.dataset.noise = 0.5
    cfg.model.dropout = 0.3
    cfg.train_cfg = dict(type=loop, max_epochs=2)
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=3, by_epoch=False)
    cfg.log_processor = dict(by_epoch=True)
    cfg.custom_hooks = [dict(type='RNGStateHook')] if rng_hook else []
    cfg.randomness = dict(seed=0, deterministic=True)
    # Unique per test: runners of the same name and second share mmengine's
    # message hub and logger instances.
    cfg.experiment_name = '_'.join(
        [work_dir.parent.name, work_dir.name, loop, str(rng_hook)])
    return cfg


def _train(cfg, resume_from=None):
    cfg = copy.deepcopy(cfg)
    if resume_from is not None:
        cfg.resume = True
        cfg.load_from = resume_from
    runner = Runner.from_cfg(cfg)
    model = runner.train()
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _resumed_equals_full(tmp_path, **kwargs):
    full_dir = tmp_path / 'full'
    full = _train(_cfg(full_dir, **kwargs))
    # 16 samples, batch 2: 8 iterations per epoch; iteration 9 is inside
    # the second epoch. Resume a fresh run from that checkpoint, as after
    # a kill.
    resumed_dir = tmp_path / 'resumed'
    resumed_dir.mkdir()
    ckpt = str(resumed_dir / 'iter_9.pth')
    shutil.copy(full_dir / 'iter_9.pth', ckpt)
    resumed = _train(_cfg(resumed_dir, **kwargs), resume_from=ckpt)
    return all(torch.equal(full[k], resumed[k]) for k in full)


def test_resume_inside_epoch_reproduces_weights(tmp_path):
    assert _resumed_equals_full(tmp_path)


@pytest.mark.parametrize('kwargs', [
    dict(loop='EpochBasedTrainLoop'),  # re-runs the epoch's first batches
    dict(rng_hook=False),  # random streams restart from the seed
])
def test_resume_differs_without_the_fixes(tmp_path, kwargs):
    # The same experiment without our loop or hook does not reproduce the
    # weights: the equality above is not vacuous.
    assert not _resumed_equals_full(tmp_path, **kwargs)


class _FrozenClock:
    """``time`` for mmengine's runner module: every runner gets one stamp."""

    def __getattr__(self, name):
        return getattr(time, name)

    @staticmethod
    def localtime(secs=None):
        return time.localtime(0)


def test_runners_of_one_name_share_no_resumed_state(tmp_path, monkeypatch):
    # Runners of the same experiment name and timestamp share mmengine's
    # message hub. A resumed run with RNGStateHook but mmengine's loop
    # (which does not take the restored state) must not leave that state
    # for the next such runner: a resumed run without the hook then
    # restarts its streams from the seed, as it must (CI once saw the
    # stale state make it equal by accident).
    import mmengine.runner.runner as runner_module
    monkeypatch.setattr(runner_module, 'time', _FrozenClock())
    leaving = _cfg(tmp_path / 'a', loop='EpochBasedTrainLoop')
    taking = _cfg(tmp_path / 'b', rng_hook=False)
    _train(leaving)
    full = _train(taking)
    # Only the two resumed runners share a name, as in CI's collision.
    leaving.experiment_name = taking.experiment_name = 'resumed'
    _train(leaving, resume_from=osp.join(leaving.work_dir, 'iter_9.pth'))
    resumed = _train(
        taking, resume_from=osp.join(taking.work_dir, 'iter_9.pth'))
    assert not all(torch.equal(full[k], resumed[k]) for k in full)
