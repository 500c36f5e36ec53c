"""Sharded, resumable VLM feature extraction: 2 processes, one killed in
the middle, resumed, equal to a one-process extraction."""
import json
import os
import os.path as osp
import runpy
import subprocess
import sys

import numpy as np
import pytest

from vost.models.vlm import VLMEncoder, VLMFeatureCache
from vost.models.vlm.sharded_cache import (ShardWriter, merge_shards,
                                           shard_dir, shard_frames)

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
FIXTURE = osp.join(ROOT, 'tests', 'data', 'ag_tiny') + '/'
CONFIG = osp.join(ROOT, 'configs', 'vost',
                  'vost_r18_1xb8-3e_synthetic-ag-sgdet.py')


def _options(tiny_clip_dir):
    return [f'model.vlm_encoder.model_name={tiny_clip_dir}',
            'model.vlm_encoder.grid_size=[4,4]'] + [
        f'{loader}.dataset.data_root={FIXTURE}'
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader')]


def _common(cache_dir, tiny_clip_dir):
    return ['--cache-dir', cache_dir, '--batch-size', '1', '--workers', '0',
            '--device', 'cpu', '--dtype', 'float32', '--cfg-options',
            *_options(tiny_clip_dir)]


def _dist(cache_dir, tiny_clip_dir, **env):
    env = dict(os.environ, OMP_NUM_THREADS='1', PORT='29533', **env)
    return subprocess.run(
        ['bash', 'tools/dist_extract_vlm_features.sh', CONFIG, '2',
         *_common(cache_dir, tiny_clip_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope='module')
def reference(tmp_path_factory, tiny_clip_dir):
    """A one-process extraction."""
    cache_dir = str(tmp_path_factory.mktemp('ref') / 'cache')
    argv = sys.argv
    sys.argv = ['extract_vlm_features.py', CONFIG,
                *_common(cache_dir, tiny_clip_dir)]
    try:
        runpy.run_path(osp.join(ROOT, 'tools', 'extract_vlm_features.py'),
                       run_name='__main__')
    finally:
        sys.argv = argv
    assert not osp.exists(osp.join(cache_dir, 'shards'))
    return cache_dir


def _settings(tiny_clip_dir):
    return VLMEncoder(tiny_clip_dir, grid_size=(4, 4),
                      local_files_only=True).cache_settings()


def test_killed_process_resumes_to_the_one_process_cache(
        tmp_path, tiny_clip_dir, reference):
    cache_dir = str(tmp_path / 'cache')
    # run 1: process 1 is killed (SIGKILL) after writing, before marking,
    # its 2nd frame; torchrun stops the other process too
    run = _dist(cache_dir, tiny_clip_dir, VOST_EXTRACT_KILL_AFTER='1:2')
    assert run.returncode != 0
    assert not osp.exists(osp.join(cache_dir, 'meta.json'))
    done = np.load(osp.join(shard_dir(cache_dir, 1, 2), 'progress.npy'))
    assert done.sum() == 1 and not done.all()  # the 2nd frame is not marked
    # run 2: both resume; process 0 merges
    run = _dist(cache_dir, tiny_clip_dir)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert 'process 1/2: ' in run.stdout
    assert '1 done by an earlier run' in run.stdout
    assert not osp.exists(osp.join(cache_dir, 'shards'))
    settings = _settings(tiny_clip_dir)
    ref = VLMFeatureCache(reference, settings)
    got = VLMFeatureCache(cache_dir, settings)
    assert list(got.row_of) == list(ref.row_of)  # global frame order
    keys = list(ref.row_of)
    for a, b in zip(got.load(keys), ref.load(keys)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # run 3: nothing left to do
    run = _dist(cache_dir, tiny_clip_dir)
    assert run.returncode == 0 and 'nothing to do' in run.stdout


def _shard(folder, keys, settings, **kw):
    return ShardWriter(folder, keys, settings, 8, (2, 2), **kw)


def test_shard_writer_resumes_or_redoes(tmp_path):
    settings = dict(model_name='m', grid_size=[2, 2])
    keys = ['v/1.png', 'v/2.png', 'v/3.png']
    folder = str(tmp_path / 'shard')
    w = _shard(folder, keys, settings)
    assert w.todo() == [0, 1, 2] and not w.restarted
    w.write(keys[:1], np.ones((1, 8)), np.ones((1, 8, 2, 2)))
    w.commit()
    w.write(keys[1:2], np.ones((1, 8)), np.ones((1, 8, 2, 2)))  # no commit
    w = _shard(folder, keys, settings)
    assert w.resumed == 1 and w.todo() == [1, 2]
    # other settings, other frames, a damaged progress file: redone
    w = _shard(folder, keys, dict(settings, model_name='other'))
    assert 'other settings' in w.restarted and w.todo() == [0, 1, 2]
    w = _shard(folder, keys[:2], dict(settings, model_name='other'))
    assert 'other settings' in w.restarted or 'other frames' in w.restarted
    with open(osp.join(folder, 'progress.npy'), 'wb') as f:
        f.write(b'not numpy')
    w = _shard(folder, keys[:2], dict(settings, model_name='other'))
    assert w.restarted and w.todo() == [0, 1]
    with open(osp.join(folder, 'meta.json'), 'w') as f:
        f.write('{"trunc')
    w = _shard(folder, keys[:2], dict(settings, model_name='other'))
    assert w.restarted and w.todo() == [0, 1]


def test_merge_refuses_an_incomplete_shard(tmp_path):
    settings = dict(model_name='m')
    keys = [f'v/{i}.png' for i in range(5)]
    cache_dir = str(tmp_path / 'c')
    for rank in range(2):
        part = shard_frames(keys, rank, 2)
        w = _shard(shard_dir(cache_dir, rank, 2), part, settings)
        w.write(part, np.full((len(part), 8), rank),
                np.full((len(part), 8, 2, 2), rank))
        if rank == 0:
            w.close()
        else:
            w.commit()
    with pytest.raises(RuntimeError, match='shard 1 of 2 .* not complete'):
        merge_shards(cache_dir, keys, settings, 8, (2, 2), 'float16', 2)
    _shard(shard_dir(cache_dir, 1, 2), shard_frames(keys, 1, 2),
           settings).close()
    merge_shards(cache_dir, keys, settings, 8, (2, 2), 'float16', 2)
    cache = VLMFeatureCache(cache_dir, settings)
    image, _ = cache.load(keys)
    assert image[:, 0].tolist() == [0, 1, 0, 1, 0]
    with open(osp.join(cache_dir, 'meta.json')) as f:
        assert json.load(f)['complete']
