"""A shipped synthetic config is seeded by default and trains bit for bit
the same twice; another seed trains differently."""
import copy
import json
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from vost.datasets.synthetic import make_synthetic_ag
from vost.engine import SGRunner
from vost.engine.hooks import flip_rate

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = 'configs/vost/vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py'


@pytest.fixture(scope='module')
def tiny_cfg(tmp_path_factory):
    data = str(tmp_path_factory.mktemp('determinism') / 'synthetic_ag')
    # 4 videos x 4 frames: 3 training videos; the small-box filter keeps
    # a few key frames of them (steps of 2)
    make_synthetic_ag(data, num_videos=4, num_frames=4, seed=0,
                      size=(128, 128))
    cfg = Config.fromfile(osp.join(REPO, CONFIG))
    cfg.train_dataloader.dataset.data_root = data
    cfg.train_dataloader.batch_size = 2
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    cfg.train_cfg.max_epochs = 1
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.test_cfg = cfg.test_dataloader = cfg.test_evaluator = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=-1)
    cfg.log_level = 'WARNING'
    return cfg


def _train(cfg, work_dir, seed=None):
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = osp.basename(str(work_dir))
    if seed is not None:
        cfg.randomness.seed = seed
    runner = SGRunner.from_cfg(cfg)
    model = runner.train()
    assert runner.iter >= 3
    return runner.seed, {
        k: v.detach().clone()
        for k, v in model.state_dict().items()
    }


def test_shipped_synthetic_configs_are_seeded_and_deterministic():
    cfg = Config.fromfile(osp.join(REPO, CONFIG))
    assert cfg.randomness == dict(seed=0, deterministic=True)
    # real-AG (GPU) configs are seeded too, with CUDA's fast kernels
    gpu = Config.fromfile(
        osp.join(REPO, 'configs/vost/vost-spatial_r50_8xb2-12e_ag-sgdet.py'))
    assert gpu.randomness == dict(seed=0, deterministic=False)


def test_default_seed_trains_identical_weights(tiny_cfg, tmp_path):
    seed_a, first = _train(tiny_cfg, tmp_path / 'a')
    seed_b, second = _train(tiny_cfg, tmp_path / 'b')
    assert seed_a == seed_b == 0
    assert first.keys() == second.keys()
    for key in first:
        assert torch.equal(first[key], second[key]), key
    # the steps did change the weights (the equality is not of untouched
    # initial weights only)
    init = SGRunner.from_cfg(
        dict(copy.deepcopy(tiny_cfg), work_dir=str(tmp_path / 'init'),
             experiment_name='init')).model.state_dict()
    moved = [k for k in first if first[k].is_floating_point()
             and not torch.equal(first[k], init[k])]
    assert len(moved) > len(first) // 2


def test_another_seed_trains_other_weights(tiny_cfg, tmp_path):
    _, default = _train(tiny_cfg, tmp_path / 'a')
    seed, other = _train(tiny_cfg, tmp_path / 'b', seed=1)
    assert seed == 1
    differ = [k for k in default if not torch.equal(default[k], other[k])]
    assert len(differ) > len(default) // 2


def test_flip_rate_hand_cases():
    # frame 1: GT 1 on query 0 -> query 2, GT 2 stays on query 1;
    # frame 2: GT 1 stays on query 1; a frame without GT counts nothing
    prev = [torch.tensor([1, 2, 0]), torch.tensor([0, 1]),
            torch.tensor([0, 0])]
    curr = [torch.tensor([0, 2, 1]), torch.tensor([0, 1]),
            torch.tensor([0, 0])]
    assert flip_rate(prev, curr) == pytest.approx(1 / 3)
    assert flip_rate(prev, prev) == 0.
    assert flip_rate([torch.zeros(3, dtype=torch.long)],
                     [torch.zeros(3, dtype=torch.long)]) == 0.
    # a GT matched now but not before (fewer queries kept) is a flip
    assert flip_rate([torch.tensor([0, 0])], [torch.tensor([1, 0])]) == 1.


def test_matching_stability_hook_measures_without_changing_training(
        tiny_cfg, tmp_path):
    # a large learning rate, so that the few steps move the matching
    base = copy.deepcopy(tiny_cfg)
    base.optim_wrapper.optimizer.lr = 0.05
    _, plain = _train(base, tmp_path / 'plain')
    cfg = copy.deepcopy(base)
    cfg.custom_hooks = [*cfg.get('custom_hooks', []),
                        dict(type='MatchingStabilityHook', interval=1,
                             num_samples=3)]
    _, probed = _train(cfg, tmp_path / 'probed')
    for key in plain:
        assert torch.equal(plain[key], probed[key]), key
    with open(tmp_path / 'probed' / 'matching_stability.json') as f:
        result = json.load(f)
    curve = result['curve']
    assert result['num_samples'] == 3
    assert [it for it, _ in curve] == list(range(1, len(curve) + 1))
    assert len(curve) >= 3
    assert all(0. <= rate <= 1. for _, rate in curve)
    assert max(rate for _, rate in curve) > 0.
