"""The code base passes the project's ruff configuration (pyproject.toml)."""
import os.path as osp
import shutil
import subprocess

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_ruff_clean():
    ruff = shutil.which('ruff')
    assert ruff is not None, 'ruff is not installed (requirements/tests.txt)'
    proc = subprocess.run([ruff, 'check', 'vost', 'tools', 'tests'],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-5000:]
