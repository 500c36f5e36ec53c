"""tools/extract_vlm_features.py on the tiny Action Genome fixture."""
import os.path as osp
import runpy
import sys

import mmcv
import numpy as np
import torch

from vost.models.vlm import VLMEncoder, VLMFeatureCache

ROOT = osp.join(osp.dirname(__file__), '..', '..')
FIXTURE = osp.abspath(osp.join(ROOT, 'tests', 'data', 'ag_tiny')) + '/'
CONFIG = osp.join(ROOT, 'configs', 'vost',
                  'vost_r18_1xb8-3e_synthetic-ag-sgdet.py')


def test_extract_then_read(tmp_path, monkeypatch, tiny_clip_dir):
    cache_dir = str(tmp_path / 'cache')
    options = [
        f'model.vlm_encoder.model_name={tiny_clip_dir}',
        'model.vlm_encoder.grid_size=[4,4]'
    ] + [
        f'{loader}.dataset.data_root={FIXTURE}'
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader')
    ]
    monkeypatch.setattr(sys, 'argv', [
        'extract_vlm_features.py', CONFIG, '--cache-dir', cache_dir,
        '--batch-size', '3', '--workers', '0', '--device', 'cpu',
        '--dtype', 'float32',
        '--cfg-options', *options
    ])
    runpy.run_path(
        osp.join(ROOT, 'tools', 'extract_vlm_features.py'),
        run_name='__main__')

    encoder = VLMEncoder(tiny_clip_dir, grid_size=(4, 4),
                         local_files_only=True)
    cache = VLMFeatureCache(cache_dir, encoder.cache_settings())
    keys = list(cache.row_of)
    assert len(keys) > 0 and len(set(keys)) == len(keys)
    # every cached row is the VLM on that frame file, read as RGB
    frames = [
        torch.from_numpy(
            mmcv.imread(osp.join(FIXTURE, 'frames', k),
                        channel_order='rgb')).permute(2, 0, 1)
        for k in keys
    ]
    img, patch = encoder.encode_frames(frames)
    got_img, got_patch = cache.load(keys)
    np.testing.assert_allclose(got_img, img.numpy(), atol=1e-5)
    np.testing.assert_allclose(got_patch, patch.numpy(), atol=1e-5)
