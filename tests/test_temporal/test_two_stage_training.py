"""Stage 1 (spatial, single frames) then stage 2 (temporal parts only,
frozen spatial model) through ``tools/train.py`` on a tiny synthetic set,
then a causal-mode test run of the stage-2 checkpoint."""
import os
import os.path as osp
import pickle
import subprocess
import sys

import pytest
import torch

from vost.datasets.synthetic import make_synthetic_ag

CFG = 'configs/vost/vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py'
CFG2 = 'configs/vost/vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py'
CAUSAL = ('configs/vost/'
          'vost-spatial-temporal-causal_r18_1xb8-1e_synthetic-ag-sgdet.py')


def _run(cmd, cwd):
    env = dict(os.environ, OMP_NUM_THREADS='2')
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _tiny_run_options(data_root):
    """One video (6 key frames), 2 clips per step, one epoch, no
    validation."""
    return [
        f'train_dataloader.dataset.data_root={data_root}',
        'train_dataloader.dataset.indices=1',
        'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False', 'train_cfg.max_epochs=1',
        'val_cfg=None', 'val_dataloader=None', 'val_evaluator=None',
        'default_hooks.logger.interval=1'
    ]


def _state(path):
    return torch.load(path, map_location='cpu',
                      weights_only=False)['state_dict']


@pytest.mark.slow
def test_two_stage_training_through_tools_train(tmp_path, repo_root):
    data = str(tmp_path / 'synthetic_ag')
    make_synthetic_ag(data, num_videos=6, num_frames=6, seed=0,
                      size=(128, 128))
    opts = _tiny_run_options(data)
    stage1 = str(tmp_path / 'stage1')
    _run([sys.executable, 'tools/train.py', CFG, '--work-dir', stage1,
          '--cfg-options', *opts], repo_root)
    ckpt1 = osp.join(stage1, 'epoch_1.pth')
    stage2 = str(tmp_path / 'stage2')
    log = _run([
        sys.executable, 'tools/train.py', CFG2, '--work-dir', stage2,
        '--cfg-options', f'load_from={ckpt1}', *opts
    ], repo_root)
    assert 'FreezeModulesHook: all' in log and \
        'frozen tensors unchanged after 2 iterations' in log, log[-3000:]
    s1, s2 = _state(ckpt1), _state(osp.join(stage2, 'epoch_1.pth'))
    spatial = [k for k in s2 if not k.startswith('temporal.')]
    assert sorted(spatial) == sorted(s1)
    for k in spatial:  # the spatial model is bitwise the stage-1 model
        assert torch.equal(s1[k], s2[k]), k
    # the temporal heads started as copies of the spatial heads and trained
    last = s1['bbox_head.cls_branches.2.weight']
    assert not torch.equal(s2['temporal.head.cls_branches.0.weight'], last)
    assert (s2['temporal.head.cls_branches.0.weight'] - last).abs().max() \
        < 0.1  # 3 steps of AdamW (lr 2e-4) from the copy
    # causal test run of the stage-2 model on the test split
    out = str(tmp_path / 'preds.pkl')
    _run([
        sys.executable, 'tools/test.py', CAUSAL,
        osp.join(stage2, 'epoch_1.pth'), '--work-dir',
        str(tmp_path / 'test'), '--out', out, '--cfg-options',
        f'test_dataloader.dataset.data_root={data}',
        f'test_evaluator.data_root={data}', 'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        'test_dataloader.batch_size=4'
    ], repo_root)
    with open(out, 'rb') as f:
        preds = pickle.load(f)
    keys = [p['frame_key'] for p in preds]
    assert keys and len(set(keys)) == len(keys)
    assert all(p['attention_scores'].shape[1] == 3 for p in preds)
