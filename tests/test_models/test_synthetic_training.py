"""End to end on a tiny synthetic Action Genome: ``tools/train.py`` makes
the loss fall, ``tools/test.py --out`` writes predictions that the
evaluation CLI accepts (slow: about a minute on 2 cores)."""
import json
import os
import os.path as osp
import re
import subprocess
import sys

import pytest

from vost.datasets.synthetic import make_synthetic_ag

CFGS = {
    task: f'configs/vost/vost-spatial_r18_1xb8-3e_synthetic-ag-{task}.py'
    for task in ('sgdet', 'predcls')
}


def _run(cmd, cwd):
    env = dict(os.environ, OMP_NUM_THREADS='2')
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _losses(work_dir):
    """Training losses logged by LocalVisBackend, in order."""
    runs = [d for d in os.listdir(work_dir)
            if osp.isdir(osp.join(work_dir, d))]
    path = osp.join(work_dir, sorted(runs)[0], 'vis_data', 'scalars.json')
    with open(path) as f:
        rows = [json.loads(line) for line in f]
    return [r['loss'] for r in rows if 'loss' in r]


@pytest.mark.slow
@pytest.mark.parametrize('task', ['sgdet', 'predcls'])
def test_train_test_eval_end_to_end(task, tmp_path, repo_root):
    data = str(tmp_path / 'synthetic_ag')
    make_synthetic_ag(data, num_videos=6, num_frames=6, seed=0,
                      size=(128, 128))
    common = [
        f'train_dataloader.dataset.data_root={data}',
        f'test_dataloader.dataset.data_root={data}',
        f'test_evaluator.data_root={data}',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
    ]
    work = str(tmp_path / 'work')
    # overfit the training videos: 8 epochs of a few steps, constant lr
    _run([
        sys.executable, 'tools/train.py', CFGS[task], '--work-dir', work,
        '--cfg-options', *common, 'train_dataloader.batch_size=4',
        'train_cfg.max_epochs=8', 'param_scheduler=[]', 'val_cfg=None',
        'val_dataloader=None', 'val_evaluator=None',
        'default_hooks.logger.interval=1',
        'default_hooks.checkpoint.interval=8',
        'optim_wrapper.optimizer.lr=0.001'
    ], repo_root)
    losses = _losses(work)
    assert len(losses) >= 16
    head = sum(losses[:4]) / 4
    tail = sum(losses[-4:]) / 4
    assert tail < 0.8 * head, losses

    out = str(tmp_path / 'preds.pkl')
    log = _run([
        sys.executable, 'tools/test.py', CFGS[task],
        osp.join(work, 'epoch_8.pth'), '--work-dir', str(tmp_path / 'test'),
        '--out', out, '--cfg-options', *common
    ], repo_root)
    assert 'with/R@20' in log and osp.isfile(out)
    report = str(tmp_path / 'metrics.json')
    _run([
        sys.executable, 'tools/analysis_tools/eval_sgg.py', data, out,
        '--task', task, '--json', report
    ], repo_root)
    with open(report) as f:
        metrics = json.load(f)
    # the CLI and the runner's metric read the same predictions and GT:
    # the same recall (the log rounds to 4 digits); recall grows with K
    logged = float(re.search(r'with/R@20: ([0-9.]+)', log).group(1))
    assert abs(metrics['with/R@20'] - logged) <= 6e-5, (metrics, logged)
    for constraint in ('with', 'semi', 'no'):
        recalls = [metrics[f'{constraint}/R@{k}'] for k in (10, 20, 50)]
        assert 0 <= recalls[0] <= recalls[1] <= recalls[2] <= 1, recalls
