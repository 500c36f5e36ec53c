"""tools/analysis_tools/benchmark.py runs end to end (figures not checked:
speed is measured by the script, not by tests)."""
import json
import os
import os.path as osp
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_benchmark_writes_every_figure(tmp_path):
    out = tmp_path / 'bench.json'
    env = dict(os.environ, OMP_NUM_THREADS='1', HF_HUB_OFFLINE='1')
    subprocess.run([
        sys.executable, 'tools/analysis_tools/benchmark.py',
        'configs/vost/vost-spatial_r18_1xb8-2e_synthetic-ag-sgdet.py',
        '--img-size', '64', '64', '--iters', '2', '--warmup', '1',
        '--train-batch', '1', '--json', str(out)
    ], cwd=REPO, env=env, check=True, capture_output=True)
    res = json.loads(out.read_text())
    for key in ('detr/infer', 'vost/infer', 'vost/train_s_per_iter',
                'paired/detr_infer', 'paired/vost_infer',
                'paired/vost_over_detr', 'ratio/vost_over_detr_infer',
                'vost_infer/peak_rss_MB', 'vost_train/peak_rss_MB'):
        assert res[key] > 0, key
    assert abs(res['paired/vost_over_detr'] - res['paired/vost_infer'] /
               res['paired/detr_infer']) < 1e-9
