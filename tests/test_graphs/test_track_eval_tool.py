"""tools/analysis_tools/sg_track_eval.py and sg_track_table.py end to end
(a random model: the run, the files and the baseline's figures)."""
import json
import os.path as osp
import runpy

import pytest
import torch

from vost.apis import init_sg_model
from vost.datasets.synthetic import make_synthetic_ag

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'vost',
                  'vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py')


def _tool(name):
    return runpy.run_path(osp.join(REPO, 'tools', 'analysis_tools', name))


@pytest.fixture(scope='module')
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('track_eval')
    data = str(tmp / 'syn')
    make_synthetic_ag(data, num_videos=3, num_frames=5, seed=2,
                      size=(256, 256), test_fraction=1.0)
    torch.manual_seed(0)
    ckpt = str(tmp / 'random.pth')
    torch.save({'state_dict': init_sg_model(CONFIG).state_dict()}, ckpt)
    out = str(tmp / 'run.json')
    results = _tool('sg_track_eval.py')['main']([
        CONFIG, ckpt, '--data-root', data, '--json', out, '--score-thr',
        '0.0'
    ])
    return results, out


def test_track_eval_writes_both_rules(run):
    results, out = run
    with open(out) as f:
        saved = json.load(f)
    assert set(saved['results']) == {'tracked (ByteTrack)',
                                     'frame-local ids'}
    assert saved['settings']['graph']['node_score_thr'] == 0.0
    local = saved['results']['frame-local ids']
    tracked = saved['results']['tracked (ByteTrack)']
    # the same GT and the same frame graphs under both rules
    assert local['num_gt'] == tracked['num_gt'] > 0
    assert local['gt_intervals'] == tracked['gt_intervals'] > 0
    # a new identity per node and frame: at most one frame per track
    assert local['num_pred'] >= tracked['num_pred']
    assert results['frame-local ids']['idf1'] == local['idf1']


def test_track_table_mean_and_std(run, capsys):
    _, out = run
    _tool('sg_track_table.py')['main']([out, out])
    text = capsys.readouterr().out
    assert '| tracked (ByteTrack) | 2 |' in text
    assert '+- 0.00' in text
