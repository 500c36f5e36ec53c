"""tools/dist_test.sh: two CPU processes (gloo) give the metrics and the
predictions of one process, frame for frame."""
import glob
import json
import os
import os.path as osp
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch

from vost.apis import init_sg_model
from vost.datasets.synthetic import make_synthetic_ag

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# PredCls: GT boxes are given, so even an untrained model has recall > 0
CONFIG = 'configs/vost/vost-spatial_r18_1xb8-3e_synthetic-ag-predcls.py'


def _run(cmd, port=None):
    env = dict(os.environ, OMP_NUM_THREADS='1', HF_HUB_OFFLINE='1')
    if port is not None:
        env['PORT'] = str(port)
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600)
    errors = [line for line in (proc.stdout + proc.stderr).splitlines()
              if 'Error' in line]
    assert proc.returncode == 0, '\n'.join(errors[-20:])


def _metrics(work_dir):
    logs = glob.glob(osp.join(work_dir, '*', '*.json'))
    assert len(logs) == 1, logs
    with open(logs[0]) as f:
        rows = [json.loads(line) for line in f]
    return {k: v for k, v in rows[-1].items() if '@' in k}


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('dist_test')
    data = str(tmp / 'synthetic_ag')
    # 3 test videos of 3 frames: 9 key frames, an odd count, so the
    # distributed sampler pads rank 1 with a repeat that must not count
    make_synthetic_ag(data, num_videos=12, num_frames=3, seed=1,
                      size=(64, 64))
    model = init_sg_model(CONFIG)
    checkpoint = str(tmp / 'random.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, checkpoint)
    options = [
        '--cfg-options', f'test_dataloader.dataset.data_root={data}',
        f'test_evaluator.data_root={data}', 'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        'test_dataloader.batch_size=2'
    ]
    return tmp, checkpoint, options


def test_two_processes_give_the_metrics_of_one(setup):
    tmp, checkpoint, options = setup
    one, two = str(tmp / 'one'), str(tmp / 'two')
    _run([sys.executable, 'tools/test.py', CONFIG, checkpoint,
          '--work-dir', one, '--out', osp.join(one, 'preds.pkl'),
          *options])
    _run(['bash', 'tools/dist_test.sh', CONFIG, checkpoint, '2',
          '--work-dir', two, '--out', osp.join(two, 'preds.pkl'), *options],
         port=29500 + os.getpid() % 1000)
    single, dist = _metrics(one), _metrics(two)
    assert len(single) == 36 and single['no/R@50'] > 0
    assert dist == single
    with open(osp.join(one, 'preds.pkl'), 'rb') as f:
        preds_one = {p['frame_key']: p for p in pickle.load(f)}
    with open(osp.join(two, 'preds.pkl'), 'rb') as f:
        preds_two = {p['frame_key']: p for p in pickle.load(f)}
    assert len(preds_one) == 9 and preds_one.keys() == preds_two.keys()
    # ranks batch other frames together than one process: the outputs of
    # a frame agree up to float noise (padded query counts change sums)
    for key, pred in preds_one.items():
        for field, value in pred.items():
            if field != 'frame_key':
                np.testing.assert_allclose(
                    value, preds_two[key][field], rtol=1e-4, atol=1e-4,
                    err_msg=f'{key} {field}')
