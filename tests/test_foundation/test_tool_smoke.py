"""One-step smoke runs of the tools that no other test runs: each checks
what the tool wrote or printed, not only its exit status."""
import json
import os
import os.path as osp
import pickle
import shlex
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _run(cmd, env=None, timeout=300):
    full_env = dict(os.environ, OMP_NUM_THREADS='1', HF_HUB_OFFLINE='1')
    full_env['PYTHONPATH'] = REPO + os.pathsep + full_env.get(
        'PYTHONPATH', '')
    full_env.update(env or {})
    proc = subprocess.run(cmd, cwd=REPO, env=full_env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f'{" ".join(cmd)} failed ({proc.returncode}):\n'
        f'{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc


@pytest.fixture(scope='module')
def synthetic_root(tmp_path_factory):
    """A 6-video synthetic set written by the converter's command line."""
    root = str(tmp_path_factory.mktemp('synthetic') / 'ag')
    _run([sys.executable, 'tools/dataset_converters/make_synthetic_ag.py',
          root, '--videos', '6', '--frames', '4', '--seed', '3', '--size',
          '96', '96'])
    return root


def test_make_synthetic_ag_writes_the_ag_format(synthetic_root):
    from vost.ag_format import load_action_genome
    ann = osp.join(synthetic_root, 'annotations')
    assert {'object_bbox_and_relationship.pkl', 'person_bbox.pkl',
            'object_classes.txt', 'relationship_classes.txt',
            'frame_list.txt'} <= set(os.listdir(ann))
    train, _ = load_action_genome(synthetic_root, 'train', 'predcls')
    test, _ = load_action_genome(synthetic_root, 'test', 'predcls')
    with open(osp.join(ann, 'person_bbox.pkl'), 'rb') as f:
        keys = list(pickle.load(f))
    # video 5 is one of the generator's too-short videos (2 frames, 3% by
    # design), which the loader's min_frames_per_video=3 removes
    assert len({k.split('/')[0] for k in keys}) == 6 and len(keys) == 22
    loaded = {v['video_id'] for v in train + test}
    assert loaded == {f'V000{i}.mp4' for i in range(5)} and test
    frame = train[0]['images'][0]
    assert (frame['width'], frame['height']) == (96, 96)
    assert osp.isfile(frame['img_path'])


def test_frequency_baseline_cli_writes_predictions(synthetic_root, tmp_path):
    out = str(tmp_path / 'freq.pkl')
    _run([sys.executable, 'tools/analysis_tools/frequency_baseline.py',
          synthetic_root, '--task', 'predcls', '--out', out])
    from vost.ag_format import load_action_genome
    from vost.evaluation.functional.prediction_format import \
        load_predictions
    preds = load_predictions(out)  # checks every field
    test, _ = load_action_genome(synthetic_root, 'test', 'predcls')
    keys = sorted(fr['frame_key'] for v in test for fr in v['images'])
    # one prediction per test frame
    assert sorted(p['frame_key'] for p in preds) == keys


def test_probe_synthetic_ag_reports(synthetic_root, tmp_path):
    out = str(tmp_path / 'probe.json')
    _run([sys.executable, 'tools/dev/probe_synthetic_ag.py', synthetic_root,
          '--steps', '2', '--batch-size', '4', '--out', out])
    with open(out) as f:
        report = json.load(f)
    text = json.dumps(report)
    assert 'attention' in text and 'contacting' in text


def test_make_tiny_vlm_cli_loads_back(tmp_path):
    out = str(tmp_path / 'clip')
    _run([sys.executable, 'tools/misc/make_tiny_vlm.py', out, '--family',
          'clip'])
    from transformers import CLIPModel
    model = CLIPModel.from_pretrained(out, local_files_only=True)
    assert model.config.projection_dim > 0


def _fake_srun(tmp_path):
    """An ``srun`` that records its arguments instead of launching."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    record = tmp_path / 'srun_args.txt'
    srun = bin_dir / 'srun'
    srun.write_text(f'#!/usr/bin/env bash\nprintf "%s\\n" "$@" > {record}\n')
    srun.chmod(0o755)
    env = dict(PATH=f'{bin_dir}{os.pathsep}{os.environ["PATH"]}', GPUS='4',
               GPUS_PER_NODE='2', CPUS_PER_TASK='3')
    return env, record


@pytest.mark.parametrize('script,fourth,tool', [
    ('slurm_train.sh', 'work_dirs/x', 'train.py'),
    ('slurm_test.sh', 'ckpt.pth', 'test.py'),
])
def test_slurm_scripts_launch_one_task_per_gpu(tmp_path, script, fourth,
                                               tool):
    env, record = _fake_srun(tmp_path)
    cfg = 'configs/vost/vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py'
    _run(['bash', f'tools/{script}', 'gpu-part', 'job1', cfg, fourth,
          '--cfg-options', 'randomness.seed=3'], env=env)
    args = record.read_text().split('\n')
    assert args[:2] == ['-p', 'gpu-part']
    for flag in ('--job-name=job1', '--gres=gpu:2', '--ntasks=4',
                 '--ntasks-per-node=2', '--cpus-per-task=3',
                 '--kill-on-bad-exit=1'):
        assert flag in args
    cmd = ' '.join(a for a in args if a)
    tail = cmd[cmd.index('python -u'):]
    expected = [osp.join('tools', tool), cfg]
    expected += [f'--work-dir={fourth}'] if tool == 'train.py' else [fourth]
    parts = shlex.split(tail)
    assert parts[:2] == ['python', '-u']
    assert parts[2].endswith(expected[0])
    assert parts[3:5] == expected[1:]
    assert parts[5:] == ['--launcher=slurm', '--cfg-options',
                         'randomness.seed=3']


def test_install_check_reports_the_installed_tree():
    import vost
    if not osp.samefile(osp.dirname(vost.__file__), osp.join(REPO, 'vost')):
        pytest.skip('vost is not installed from this tree')
    proc = _run(['bash', 'tools/install.sh', '--check'])
    assert 'everything is installed already' in proc.stdout
    bad = subprocess.run(['bash', 'tools/install.sh', '--bogus'], cwd=REPO,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and 'usage' in bad.stderr


def _path_without_nvcc(extra=()):
    dirs = [d for d in os.environ['PATH'].split(os.pathsep)
            if d and not osp.exists(osp.join(d, 'nvcc'))]
    return os.pathsep.join([*extra, *dirs])


def _dry_run(env):
    proc = subprocess.run(['bash', 'tools/install.sh', '--dry-run'],
                          cwd=REPO, env=dict(os.environ, **env),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_install_picks_cuda_with_nvcc_and_a_cuda_torch(tmp_path):
    # a CUDA machine, simulated: an nvcc on PATH and a python whose torch
    # reports a CUDA version (everything else is the real interpreter)
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    (bin_dir / 'nvcc').write_text('#!/bin/sh\necho fake nvcc\n')
    fake_py = bin_dir / 'python'
    fake_py.write_text(
        '#!/usr/bin/env bash\n'
        'if [ "$1" = -c ] && [[ "$2" == *torch.version.cuda* ]]; then\n'
        '  echo 12.1; exit 0; fi\n'
        f'exec {sys.executable} "$@"\n')
    for p in (bin_dir / 'nvcc', fake_py):
        p.chmod(0o755)
    out = _dry_run(dict(PATH=_path_without_nvcc([str(bin_dir)]),
                        PYTHON=str(fake_py)))
    assert 'mode: cuda' in out and 'torch CUDA: 12.1' in out
    assert 'FORCE_CUDA=1' in out and 'FORCE_CUDA=0' not in out
    pins = out.split('without the torch pin:')[1].splitlines()[0]
    assert 'setuptools' in pins and 'torch==' not in pins
    assert '-r requirements/build.txt' not in out  # the torch pin kept out
    # nvcc alone (CPU torch) stays cpu; cpu pins torch and FORCE_CUDA=0
    out = _dry_run(dict(PATH=_path_without_nvcc([str(bin_dir)]),
                        PYTHON=sys.executable))
    assert 'mode: cpu' in out and 'FORCE_CUDA=0' in out
    assert '-r requirements/build.txt' in out
    out = _dry_run(dict(PATH=_path_without_nvcc(), PYTHON=str(fake_py)))
    assert 'mode: cpu' in out  # a CUDA torch without nvcc: no CUDA build


def test_gpu_check_cpu_path(tmp_path):
    # the device check's CPU path, at a small size: every step runs and the
    # summary holds what it measured
    out = tmp_path / 'check'
    env = dict(CONFIG='configs/vost/vost-spatial_r18_1xb8-3e_synthetic-ag-'
               'sgdet.py', ITERS='2', BATCH='2', SIZE='128 128',
               BENCH_ITERS='1', SKIP_INSTALL='1', DEVICE='cpu',
               PYTHON=sys.executable)
    proc = _run(['bash', 'tools/analysis_tools/gpu_check.sh', str(out)],
                env=env, timeout=600)
    with open(out / 'summary.json') as f:
        summary = json.load(f)
    assert summary['device'] == 'cpu' and summary['train_iters'] >= 2
    assert summary['train_s_per_iter_median'] > 0
    assert 0 <= summary['with/R@20'] <= 1
    assert summary['paired/vost_over_detr'] > 0
    assert '[gpu_check] paired/vost_over_detr:' in proc.stdout
    # the run trained with --amp: bfloat16 autocast on the CPU
    dumped = (out / 'work' / 'vost-spatial_r18_1xb8-3e_synthetic-ag-'
              'sgdet.py').read_text()
    assert 'CPUAutocastOptimWrapper' in dumped
