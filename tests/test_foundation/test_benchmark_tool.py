"""tools/analysis_tools/benchmark.py runs end to end and times the models
it names (timings not checked: speed is measured by the script, not by
tests)."""
import json
import os
import os.path as osp
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = 'configs/vost/vost-spatial_r18_1xb8-2e_synthetic-ag-sgdet.py'


def test_benchmark_writes_every_figure(tmp_path):
    out = tmp_path / 'bench.json'
    env = dict(os.environ, OMP_NUM_THREADS='1', HF_HUB_OFFLINE='1')
    subprocess.run([
        sys.executable, 'tools/analysis_tools/benchmark.py',
        CONFIG,
        '--img-size', '64', '64', '--iters', '2', '--warmup', '1',
        '--train-batch', '1', '--json', str(out)
    ], cwd=REPO, env=env, check=True, capture_output=True)
    res = json.loads(out.read_text())
    for key in ('detr/infer', 'vost/infer', 'vost/train_s_per_iter',
                'paired/detr_infer', 'paired/vost_infer',
                'paired/vost_over_detr', 'ratio/vost_over_detr_infer',
                'vost_infer/peak_rss_MB', 'vost_train/peak_rss_MB'):
        assert res[key] > 0, key
    # it timed the config's model (same parameter count) at the asked
    # training batch, and the DETR baseline is a different, smaller model
    from mmengine.config import Config

    from vost.registry import MODELS
    from vost.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(osp.join(REPO, CONFIG))
    cfg.model.backbone.init_cfg = None
    num = sum(p.numel() for p in MODELS.build(cfg.model).parameters())
    assert abs(res['vost/params_M'] - num / 1e6) < 1e-6
    assert res['vost/train_batch'] == 1
    assert 0 < res['detr/params_M'] < res['vost/params_M']
