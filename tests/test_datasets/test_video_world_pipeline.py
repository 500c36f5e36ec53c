"""The synthetic training pipeline on the video world: multi-scale resize
shared by the frames of a clip, every frame size accepted."""
import os.path as osp

import cv2
import pytest
from mmengine.config import Config

from vost.datasets.synthetic import make_synthetic_ag
from vost.registry import DATASETS
from vost.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'vost',
                  'vost-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py')


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('vw_pipeline'))
    # seed 6: 3 of the 10 videos are portrait
    make_synthetic_ag(root, 10, 5, seed=6, world='video', test_fraction=0.)
    return root


def _dataset(root, which):
    register_all_modules()
    cfg = Config.fromfile(CONFIG)
    ds = dict(getattr(cfg, which).dataset, data_root=root, task='sgdet')
    if which == 'test_dataloader':
        ds['split'] = 'train'
    return DATASETS.build(ds)


def test_train_scales_shared_by_the_clip(root):
    ds = _dataset(root, 'train_dataloader')
    shapes = set()
    for i in range(len(ds)):
        inputs = ds[i]['inputs']  # (T, 3, H, W): one size for the clip
        assert inputs.shape[0] == 3
        h, w = inputs.shape[-2:]
        assert max(h, w) <= 192 and min(h, w) <= 128
        # one of the three scales bounds it (short side 96 / 112 / 128,
        # or the long side 192)
        assert max(h, w) == 192 or min(h, w) in (96, 112, 128)
        shapes.add((h, w))
    assert len(shapes) >= 3  # several scales and aspect ratios


def test_test_scale_keeps_the_aspect_ratio(root):
    ds = _dataset(root, 'test_dataloader')
    for i in range(0, len(ds), 7):
        h, w = ds[i]['inputs'].shape[-2:]
        assert max(h, w) == 192 or min(h, w) == 112


def test_training_batches_keep_one_orientation(root):
    from mmengine.runner import Runner
    register_all_modules()
    cfg = Config.fromfile(CONFIG)
    loader = dict(cfg.train_dataloader, num_workers=0,
                  persistent_workers=False)
    loader['dataset'] = dict(loader['dataset'], data_root=root,
                             task='sgdet')
    loader['batch_size'] = 4
    dl = Runner.build_dataloader(loader, seed=0)
    ds = dl.dataset
    orientations, mixed = set(), 0
    for indices in dl.batch_sampler:
        kinds = {ds.get_data_info(i)['width'] < ds.get_data_info(i)['height']
                 for i in indices}
        mixed += len(kinds) > 1
        orientations |= kinds
    # one orientation per batch, but the epoch's remainders of both
    assert orientations == {True, False}
    assert mixed <= 1
    for i in range(0, len(ds), 5):
        info = ds.get_data_info(i)
        img = cv2.imread(info['images'][info['key_frame_id']]['img_path'])
        assert (info['width'], info['height']) == (img.shape[1],
                                                   img.shape[0])
