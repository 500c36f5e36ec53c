"""Mixed precision on the CPU: ``--amp`` trains under bfloat16 autocast
(CPUAutocastOptimWrapper) and tests under mmengine's fp16 test loop, with
float32 parameters and float32 predictions."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from vost.engine import CPUAutocastOptimWrapper
from vost.testing import build_tiny_model, demo_sg_track_inputs
from vost.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOY_CFG = osp.join(REPO, 'tests', 'data', 'configs', 'toy_runtime.py')

register_all_modules()


def test_wrapper_runs_the_forward_in_bfloat16():
    layer = torch.nn.Linear(4, 3)
    wrapper = CPUAutocastOptimWrapper(
        optimizer=torch.optim.SGD(layer.parameters(), lr=0.1))
    x = torch.randn(2, 4)
    with wrapper.optim_context(layer):
        y = layer(x)
    assert y.dtype == torch.bfloat16
    assert layer(x).dtype == torch.float32  # only inside the context
    before = layer.weight.detach().clone()
    wrapper.update_params(y.float().pow(2).mean())
    assert layer.weight.dtype == torch.float32
    assert not torch.equal(layer.weight, before)
    with pytest.raises(ValueError, match="must be 'bfloat16'"):
        CPUAutocastOptimWrapper(
            dtype='float16',
            optimizer=torch.optim.SGD(layer.parameters(), lr=0.1))


@pytest.mark.parametrize('task', ['sgdet', 'sgcls'])
def test_vost_trains_and_predicts_under_bfloat16(task):
    torch.manual_seed(0)
    model = build_tiny_model(task)
    data = demo_sg_track_inputs(batch_size=2, seed=1)
    wrapper = CPUAutocastOptimWrapper(
        optimizer=torch.optim.AdamW(model.parameters(), lr=1e-3))
    before = {k: v.detach().clone() for k, v in model.state_dict().items()}
    log = model.train_step(data, wrapper)
    assert all(torch.isfinite(v) for v in log.values())
    changed = [k for k, v in model.state_dict().items()
               if v.is_floating_point() and not torch.equal(v, before[k])]
    assert changed and all(v.dtype == before[k].dtype
                           for k, v in model.state_dict().items())
    model.eval()
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        results = model.test_step(data)
    for sample in results:
        for part in (sample.pred_instances, sample.pred_pairs):
            for key in part.keys():
                value = part.get(key)
                if value.is_floating_point():
                    assert value.dtype == torch.float32, key
                    assert torch.isfinite(value).all(), key


def test_train_tool_amp_picks_the_cpu_wrapper(tmp_path):
    if torch.cuda.is_available():
        pytest.skip('on CUDA --amp takes mmengine\'s AmpOptimWrapper')
    work_dir = str(tmp_path / 'amp')
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', TOY_CFG, '--work-dir', work_dir,
         '--amp'], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    dumped = Config.fromfile(osp.join(work_dir, 'toy_runtime.py'))
    assert dumped.optim_wrapper.type == 'CPUAutocastOptimWrapper'
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
