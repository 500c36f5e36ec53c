"""The base dataset configs build working dataloaders (on the fixture)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from vost.engine import fill_from_model
from vost.registry import MODELS
from vost.utils import register_all_modules

ROOT = osp.join(osp.dirname(__file__), '..', '..')
CFG_DIR = osp.join(ROOT, 'configs', '_base_', 'datasets')
FIXTURE = osp.join(osp.dirname(__file__), '..', 'data', 'ag_tiny')

register_all_modules()


@pytest.mark.parametrize('name,task,num_test', [
    ('action_genome.py', 'sgdet', 6),
    ('action_genome.py', 'sgcls', 6),
    ('action_genome.py', 'predcls', 7),
    ('synthetic_ag.py', 'sgdet', 6),
    ('synthetic_ag.py', 'predcls', 7),
])
def test_base_dataset_config(name, task, num_test):
    cfg = Config.fromfile(osp.join(CFG_DIR, name))
    # the dataset bases hold no task: the model states it (SGRunner)
    assert 'task' not in cfg.test_evaluator
    cfg.model = dict(task=task)
    fill_from_model(cfg)
    assert cfg.test_evaluator.type == 'ActionGenomeSGGMetric'
    assert cfg.test_evaluator.task == task
    assert cfg.test_evaluator.split == 'test'
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg[key]
        assert loader.dataset.task == task
        loader.dataset.data_root = FIXTURE
        loader.num_workers = 0
        loader.persistent_workers = False
    assert cfg.test_dataloader.dataset.test_mode
    assert cfg.val_dataloader.dataset.split == 'test'
    test_loader = Runner.build_dataloader(cfg.test_dataloader)
    assert len(test_loader.dataset) == num_test
    if not name.startswith('synthetic'):
        return  # the real-AG resize (600 px) is slow on CPU: check one
    train_loader = Runner.build_dataloader(cfg.train_dataloader)
    batch = next(iter(train_loader))
    n = min(cfg.train_dataloader.batch_size, len(train_loader.dataset))
    assert len(batch['inputs']) == n
    preprocessor = MODELS.build(
        dict(
            type='mmdet.TrackDataPreprocessor',
            mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375],
            bgr_to_rgb=True,
            pad_size_divisor=32))
    out = preprocessor(batch, training=True)
    # (N, T, C, H, W) with T = 1 for the spatial default (num_ref_frames=0);
    # the fixture's 128x96 frames at one of the three training scales
    # (short side 96 / 112 / 128, aspect kept), padded to 32
    assert out['inputs'].shape[:3] == (n, 1, 3)
    assert tuple(out['inputs'].shape[3:]) in {(96, 128), (128, 160),
                                              (128, 192)}
    assert out['inputs'].dtype == torch.float32
    track = out['data_samples'][0]
    sample = track.video_data_samples[0]
    assert track.key_frames_inds == [0]
    assert sample.gt_instances.bboxes.shape[1] == 4
    assert sample.gt_instances.labels[0].item() == 1
    assert len(sample.gt_pairs) == len(sample.gt_instances) - 1


def test_real_ag_config_item():
    cfg = Config.fromfile(osp.join(CFG_DIR, 'action_genome.py'))
    cfg.test_dataloader.dataset.data_root = FIXTURE
    dataset = Runner.build_dataloader(
        dict(cfg.test_dataloader, num_workers=0,
             persistent_workers=False)).dataset
    item = dataset[0]
    # 64x48 frames: short side 600 -> 800x600.
    assert item['inputs'].shape == (1, 3, 600, 800)
    sample = item['data_samples'].video_data_samples[0]
    assert sample.scale_factor == (12.5, 12.5)
