"""The training/testing tools: help, single-process and 2-process runs."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOY_CFG = osp.join(REPO, 'tests', 'data', 'configs', 'toy_runtime.py')


def _env():
    env = dict(os.environ)
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    env['OMP_NUM_THREADS'] = '1'
    env['HF_HUB_OFFLINE'] = '1'
    return env


def _run(cmd, timeout=240):
    proc = subprocess.run(
        cmd, cwd=REPO, env=_env(), capture_output=True, text=True,
        timeout=timeout)
    assert proc.returncode == 0, (
        f'{" ".join(cmd)} failed ({proc.returncode}):\n'
        f'{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc


@pytest.mark.parametrize('tool', ['train.py', 'test.py'])
def test_tool_help(tool):
    proc = _run([sys.executable, osp.join('tools', tool), '--help'])
    assert '--cfg-options' in proc.stdout
    assert '--launcher' in proc.stdout


def _is_script(path):
    """Whether a tools/ file is a script (a ``__main__`` block), not a
    module its script imports (main_job_data.py, benchmark_modes/)."""
    with open(path) as f:
        return "if __name__ == '__main__':" in f.read()


ALL_TOOLS = sorted(
    osp.relpath(p, REPO)
    for p in glob.glob(osp.join(REPO, 'tools', '**', '*.py'), recursive=True)
    if _is_script(p))


def _subcommands():
    """``TOOL MODE`` for the tools with subcommands (after the others: the
    benchmark's eval mode enters packages bare if none is imported yet)."""
    import importlib.util
    init = osp.join(REPO, 'tools', 'analysis_tools', 'benchmark_modes',
                    '__init__.py')
    spec = importlib.util.spec_from_file_location('_benchmark_modes', init)
    modes = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(modes)
    return [f'tools/analysis_tools/benchmark.py {mode}'
            for mode in modes.MODES]


_HELP_ALL = '''
import contextlib, io, json, os.path as osp, runpy, sys
bad = {}
for entry in sys.argv[1:]:
    tool, *sub = entry.split(' ')
    out = io.StringIO()
    sys.argv = [tool, *sub, '--help']
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(tool, run_name='__main__')
        code = 'no exit'
    except SystemExit as exc:
        code = exc.code or 0
    except BaseException as exc:  # report, do not hide: the test fails
        code = repr(exc)
    if code != 0 or not out.getvalue().startswith(
            'usage: ' + ' '.join([osp.basename(tool), *sub])):
        bad[entry] = str(code) + ' ' + out.getvalue()[:200]
print(json.dumps(bad))
'''


def test_every_tool_imports_and_has_help():
    # Every script under tools/ (and every mode of those with subcommands)
    # parses --help: its imports still work after a refactor. One
    # interpreter runs them all (torch imported once).
    assert osp.join('tools', 'analysis_tools', 'benchmark.py') in ALL_TOOLS
    proc = _run([sys.executable, '-c', _HELP_ALL] + ALL_TOOLS +
                _subcommands(), timeout=600)
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {}


def _last_ckpt(work_dir):
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip()


def test_train_then_resume_single_process(tmp_path):
    work_dir = str(tmp_path / 'work')
    _run([sys.executable, 'tools/train.py', TOY_CFG, '--work-dir', work_dir])
    ckpt = osp.join(work_dir, 'iter_2.pth')
    assert osp.isfile(ckpt)
    assert _last_ckpt(work_dir) == ckpt
    with open(osp.join(work_dir, 'rank0_of1.json')) as f:
        assert json.load(f) == [0, 1]

    # Resume: continues at iteration 2, loads the optimizer state too.
    _run([
        sys.executable, 'tools/train.py', TOY_CFG, '--work-dir', work_dir,
        '--resume', '--cfg-options', 'train_cfg.max_iters=4'
    ])
    assert osp.isfile(osp.join(work_dir, 'iter_4.pth'))
    with open(osp.join(work_dir, 'rank0_of1.json')) as f:
        assert json.load(f) == [2, 3]
    state = torch.load(
        osp.join(work_dir, 'iter_4.pth'), map_location='cpu',
        weights_only=False)
    assert state['meta']['iter'] == 4
    assert 'state' in state['optimizer']


def test_dist_train_two_cpu_processes_and_resume(tmp_path):
    work_dir = str(tmp_path / 'dist')
    port = str(29500 + os.getpid() % 1000)
    env_port = dict(PORT=port)
    os.environ.update(env_port)
    try:
        _run(['bash', 'tools/dist_train.sh', TOY_CFG, '2', '--work-dir',
              work_dir])
        for rank in (0, 1):
            with open(osp.join(work_dir, f'rank{rank}_of2.json')) as f:
                assert json.load(f) == [0, 1]
        assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))

        _run([
            'bash', 'tools/dist_train.sh', TOY_CFG, '2', '--work-dir',
            work_dir, '--resume', '--cfg-options', 'train_cfg.max_iters=3'
        ])
        for rank in (0, 1):
            with open(osp.join(work_dir, f'rank{rank}_of2.json')) as f:
                assert json.load(f) == [2]
        assert osp.isfile(osp.join(work_dir, 'iter_3.pth'))
    finally:
        os.environ.pop('PORT', None)
    logs = glob.glob(osp.join(work_dir, '*', '*.log'))
    assert logs, 'the runner wrote no log'
    assert any('gloo' in open(p).read() or 'Distributed launcher' in
               open(p).read() for p in logs)
