"""tools/analysis_tools/benchmark.py: every mode runs end to end at tiny
size, writes its figures and measures what it says (timings not checked:
speed is measured by the tool, not by tests)."""
import importlib.util
import json
import os
import os.path as osp
import re
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'analysis_tools', 'benchmark.py')
CONFIG = 'configs/vost/vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py'
TEMPORAL_CONFIG = (
    'configs/vost/vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py')


@pytest.fixture
def tool(monkeypatch):
    """The tool's ``main``, run in this process from the repository root
    (its subprocesses on one thread, offline)."""
    monkeypatch.chdir(REPO)
    monkeypatch.setenv('OMP_NUM_THREADS', '1')
    monkeypatch.setenv('HF_HUB_OFFLINE', '1')
    monkeypatch.setenv(
        'PYTHONPATH', REPO + os.pathsep + os.environ.get('PYTHONPATH', ''))
    spec = importlib.util.spec_from_file_location('benchmark_tool', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def _assert_figures_and_machine(path, figures):
    """The JSON holds the returned figures and the machine that made them
    (the returned figures name the same machine)."""
    saved = json.loads(path.read_text())
    machine = saved.pop('machine')
    figures = dict(figures)
    assert json.loads(json.dumps(figures.pop('machine'))) == machine
    assert saved == figures
    import torch
    assert machine['cpu_count'] == os.cpu_count()
    assert machine['torch'] == torch.__version__


def test_spatial_writes_every_figure(tool, tmp_path):
    out = tmp_path / 'bench.json'
    tool(['spatial', CONFIG, '--img-size', '64', '64', '--iters', '2',
          '--warmup', '1', '--train-batch', '1', '--json', str(out)])
    res = json.loads(out.read_text())
    for key in ('detr/infer', 'vost/infer', 'vost/train_s_per_iter',
                'vost/predict_s_per_batch',
                'paired/detr_infer', 'paired/vost_infer',
                'paired/vost_over_detr', 'ratio/vost_over_detr_infer',
                'vost_infer/peak_rss_MB', 'vost_train/peak_rss_MB'):
        assert res[key] > 0, key
    # it timed the config's model (same parameter count) at the asked
    # training batch, and the DETR baseline is a different, smaller model
    from vost.apis import init_sg_model
    model = init_sg_model(osp.join(REPO, CONFIG))
    num = sum(p.numel() for p in model.parameters())
    assert abs(res['vost/params_M'] - num / 1e6) < 1e-6
    assert res['vost/train_batch'] == 1
    assert 0 < res['detr/params_M'] < res['vost/params_M']


def test_temporal_counts_the_frames_it_ran(tool, tmp_path, capsys):
    out = tmp_path / 'temporal.json'
    res = tool(['temporal', TEMPORAL_CONFIG, '--iters', '1', '--warmup',
                '0', '--batch-size', '1', '--video-frames', '3',
                '--img-size', '64', '64', '--json', str(out)])
    _assert_figures_and_machine(out, res)
    for key in ('train/stage2_s_per_step', 'train/joint_s_per_step',
                'video/plain_s_per_key_frame',
                'video/cached_s_per_key_frame'):
        assert res[key] > 0, key
    # 3 key frames, clips of 1 + 2 reference frames: every clip computed
    # in full without the cache, every frame once with it
    assert res['clip_frames'] == 3 and res['video/key_frames'] == 3
    assert res['video/plain_frames'] == 9
    assert res['video/cached_frames'] == 3
    assert 'video of 3 key frames' in capsys.readouterr().out


def test_vlm_times_both_paths_on_every_frame(tool, capsys):
    res = tool(['vlm', '--arch', 'tiny', '--frames', '2', '--repeats', '1',
                '--img-size', '64', '64', '--device', 'cpu'])
    assert res['online/frames'] == res['cached/frames'] == 2
    assert res['online/ms_per_frame'] > 0 and res['cached/ms_per_frame'] > 0
    # float16 rows of the tiny CLIP (32-d): image embedding + 7x7 grid
    assert res['cache/kB_per_frame'] == pytest.approx(32 * 50 * 2 / 1e3)
    printed = capsys.readouterr().out
    for line in ('online: ', 'cached: ', 'cache size: '):
        assert line in printed


def test_data_loads_the_keys_it_wrote(tool, capsys):
    res = tool(['data', '--keys', '300', '--synthetic-videos', '1',
                '--synthetic-size', '64'])
    for split in ('train', 'test'):
        assert res[f'loader/{split}/s'] > 0
        assert res[f'loader/{split}/report']['keys'] == 300
    kept = sum(res[f'loader/{s}/report']['kept']['frames']
               for s in ('train', 'test'))
    assert 0 < kept <= 300
    assert res['synthetic/videos'] == 1 and res['synthetic/frames'] == 10
    assert res['synthetic/frames_per_s'] > 0
    assert 'synthetic: 10 frames at 64x64' in capsys.readouterr().out


def test_eval_times_the_cli_without_torch(tmp_path):
    # a torch that cannot be imported: neither the tool's eval mode nor the
    # eval_sgg.py it times may need it
    (tmp_path / 'torch').mkdir()
    (tmp_path / 'torch' / '__init__.py').write_text(
        "raise ImportError('torch imported')\n")
    out = tmp_path / 'eval.json'
    env = dict(os.environ, OMP_NUM_THREADS='1',
               PYTHONPATH=os.pathsep.join([str(tmp_path), REPO]))
    proc = subprocess.run([
        sys.executable, TOOL, 'eval', '--videos', '2', '--frames-per-video',
        '3', '--pairs', '5', '--json', str(out)
    ], cwd=REPO, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = json.loads(out.read_text())
    assert len(rows) == 1
    row = rows[0]
    assert (row['scale'], row['videos'], row['pairs']) == (1.0, 2, 5)
    for key in ('wall_s', 'cpu_s', 'peak_rss_mb', 'with_R20', 'no_R50'):
        assert row[key] > 0, key
    # the CLI evaluated every generated test frame
    generated = re.search(r'(\d+) annotated test frames generated',
                          proc.stdout)
    assert row['frames'] == int(generated.group(1)) > 0


def test_full_times_every_model_and_its_frames(tool, tmp_path, capsys):
    out = tmp_path / 'full.json'
    res = tool(['full', '--config',
                'configs/vost/vost_r18_1xb8-3e_synthetic-ag-sgdet.py',
                '--temporal-config',
                'configs/vost/vost-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py',
                '--vlm-arch', 'tiny', '--img-size', '64', '64', '--iters',
                '1', '--warmup', '0', '--train-iters', '1',
                '--video-frames', '3', '--threads', '1', '--json', str(out)])
    _assert_figures_and_machine(out, res)
    for key in ('detr_std', 'detr_same', 'vost_cached', 'vost_online',
                'temporal_key'):
        assert res[f'paired/{key}_s'] > 0, key
    assert res['paired/vost_cached_over_detr_std'] == pytest.approx(
        res['paired/vost_cached_s'] / res['paired/detr_std_s'])
    # the baseline is mmdet's DETR-R50 unchanged (41.3 M parameters), the
    # same-size DETR the small config's, and the VLM the tiny one
    assert res['params_M/detr_std'] == pytest.approx(41.3, abs=0.3)
    assert res['params_M/detr_same'] < res['params_M/vost'] < 41
    assert 0 < res['params_M/vlm'] < 1
    assert res['params_M/temporal'] > res['params_M/vost']
    # whole-video mode: each of the 3 frames through the spatial stages once
    assert res['temporal/key_frames'] == res['temporal/frames_computed'] == 3
    # the training steps at the configs' batches, stage 2 training less
    assert res['train_full/batch'] == res['train_temporal/batch'] == 8
    assert res['train_full/frames_per_clip'] == 1
    assert res['train_temporal/frames_per_clip'] == 3
    assert 0 < res['train_temporal/trained_params_M'] < \
        res['train_full/trained_params_M']
    assert 'temporal, per key frame' in capsys.readouterr().out


def test_eval_against_a_baseline_cli(tmp_path):
    out = tmp_path / 'eval.json'
    cli = osp.join(REPO, 'tools', 'analysis_tools', 'eval_sgg.py')
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO)
    proc = subprocess.run([
        sys.executable, TOOL, 'eval', '--videos', '2', '--frames-per-video',
        '3', '--pairs', '5', '--repeats', '2', '--baseline', cli, '--json',
        str(out)
    ], cwd=REPO, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    row = json.loads(out.read_text())[0]
    # the same CLI as its own baseline: equal metrics, both timed
    assert row['max_metric_difference'] == 0
    assert row['baseline_wall_s'] > 0 and row['wall_ratio'] > 0
    assert 'medians of 2, alternating' in proc.stdout
