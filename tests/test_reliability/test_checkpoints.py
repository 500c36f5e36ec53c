"""Checkpoints: written whole (a kill at any point of a save loses nothing
saved before), checked when read (a broken file is named with its problem),
and an automatic resume past a broken newest checkpoint."""
import os
import os.path as osp
import pickle
import subprocess
import sys
import zipfile

import pytest
import torch

from vost.utils.atomic_io import atomic_write, tmp_path_for
from vost.utils.checkpoint_files import (CheckpointError, checkpoint_problem,
                                         newest_intact_checkpoint)
from vost.utils.compat import load_from_local_trusted

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(HERE))


def _env():
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    return env


def _train(work_dir, iters, *extra, check=True):
    proc = subprocess.run(
        [sys.executable, osp.join(HERE, 'kill_during_save.py'),
         str(work_dir), str(iters), *extra], cwd=REPO, env=_env(),
        capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def _weights(path):
    return torch.load(path, map_location='cpu',
                      weights_only=False)['state_dict']


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path):
    path = tmp_path / 'f.txt'
    path.write_text('old')
    with pytest.raises(RuntimeError):
        with atomic_write(str(path), 'w') as f:
            f.write('new, half')
            raise RuntimeError('killed')
    assert path.read_text() == 'old'
    assert not osp.exists(tmp_path_for(str(path)))
    with atomic_write(str(path), 'w') as f:
        f.write('new')
    assert path.read_text() == 'new'
    assert os.listdir(tmp_path) == ['f.txt']


def test_checkpoint_problems_are_named(tmp_path):
    good = tmp_path / 'good.pth'
    torch.save({'state_dict': {'w': torch.ones(300)}}, good)
    assert checkpoint_problem(str(good)) is None
    legacy = tmp_path / 'legacy.pth'
    torch.save({'w': torch.ones(3)}, legacy,
               _use_new_zipfile_serialization=False)
    assert checkpoint_problem(str(legacy)) is None
    data = good.read_bytes()
    (tmp_path / 'cut.pth').write_bytes(data[:len(data) // 2])
    (tmp_path / 'empty.pth').write_bytes(b'')
    (tmp_path / 'text.pth').write_text('not a checkpoint')
    assert 'truncated or damaged' in checkpoint_problem(
        str(tmp_path / 'cut.pth'))
    assert 'is empty' in checkpoint_problem(str(tmp_path / 'empty.pth'))
    assert 'not a PyTorch checkpoint' in checkpoint_problem(
        str(tmp_path / 'text.pth'))
    assert checkpoint_problem(str(tmp_path / 'none.pth')) == 'does not exist'
    # a flipped byte inside a stored member fails its CRC
    damaged = bytearray(data)
    with zipfile.ZipFile(good) as archive:
        info = max(archive.infolist(), key=lambda i: i.file_size)
    header = data[info.header_offset:info.header_offset + 30]
    name_len = int.from_bytes(header[26:28], 'little')
    extra_len = int.from_bytes(header[28:30], 'little')
    offset = info.header_offset + 30 + name_len + extra_len + 10
    damaged[offset] ^= 0xFF
    (tmp_path / 'crc.pth').write_bytes(bytes(damaged))
    assert 'CRC' in checkpoint_problem(str(tmp_path / 'crc.pth'))
    # the loader every local checkpoint goes through names file and problem
    with pytest.raises(CheckpointError, match=r'cut\.pth is truncated'):
        load_from_local_trusted(str(tmp_path / 'cut.pth'))
    # the newest intact one, by the number in the name
    for name in ('iter_3.pth', 'iter_10.pth'):
        torch.save({}, tmp_path / name)
    (tmp_path / 'iter_12.pth').write_bytes(data[:100])
    intact, skipped = newest_intact_checkpoint(str(tmp_path))
    assert osp.basename(intact) == 'iter_10.pth'
    assert [osp.basename(p) for p, _ in skipped][:1] == ['iter_12.pth']


def test_a_corrupt_pickle_inside_a_whole_archive_is_named(tmp_path):
    path = tmp_path / 'odd.pth'
    with zipfile.ZipFile(path, 'w') as archive:
        archive.writestr('odd/data.pkl', pickle.dumps(1)[:-1])
    with pytest.raises(CheckpointError, match='cannot be read by torch'):
        load_from_local_trusted(str(path))


@pytest.fixture(scope='module')
def uninterrupted(tmp_path_factory):
    """The weights of 6 toy iterations without a kill."""
    work = tmp_path_factory.mktemp('full')
    _train(work, 6)
    return _weights(work / 'iter_6.pth')


@pytest.mark.parametrize('where', ['mid_write', 'before_rename'])
def test_kill_during_a_save_then_resume_loses_nothing(tmp_path, where,
                                                      uninterrupted):
    work = tmp_path / 'killed'
    proc = _train(work, 6, 'iter_4.pth', where, check=False)
    assert proc.returncode == -9  # SIGKILL during the save of iter 4
    names = sorted(os.listdir(work))
    # iterations 2 and 3 are whole and kept (pruning waits for the save);
    # no iter_4.pth under its own name; last_checkpoint -> iter 3
    assert 'iter_4.pth' not in names
    for name in ('iter_2.pth', 'iter_3.pth'):
        assert checkpoint_problem(str(work / name)) is None
    assert (work / 'last_checkpoint').read_text().endswith('iter_3.pth')
    assert any(n.startswith('.iter_4.pth.tmp-') for n in names)
    proc = _train(work, 6, '--resume')
    log = proc.stdout + proc.stderr
    assert 'left by a killed save' in log
    names = sorted(os.listdir(work))
    assert not any('.tmp-' in n for n in names)
    assert [n for n in names if n.endswith('.pth')] == [
        'iter_5.pth', 'iter_6.pth']
    # the resumed run ends where the uninterrupted one does
    resumed = _weights(work / 'iter_6.pth')
    assert all(torch.equal(uninterrupted[k], resumed[k])
               for k in uninterrupted)


def test_resume_skips_a_broken_newest_checkpoint(tmp_path):
    work = tmp_path / 'run'
    _train(work, 4)
    data = (work / 'iter_4.pth').read_bytes()
    (work / 'iter_4.pth').write_bytes(data[:len(data) // 3])
    # an explicit --resume of the broken file: an error naming it and the
    # newest intact one, no traceback
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', 'tests/data/configs/'
         'toy_runtime.py', '--work-dir', str(work), '--resume',
         str(work / 'iter_4.pth')], cwd=REPO, env=_env(),
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert 'Traceback' not in proc.stderr
    assert 'iter_4.pth is truncated' in proc.stderr
    assert f'--resume {work / "iter_3.pth"}' in proc.stderr
    # the automatic resume takes iter_3 and says so
    proc = _train(work, 5, '--resume')
    log = proc.stdout + proc.stderr
    assert 'iter_4.pth' in log and 'resuming from' in log
    assert checkpoint_problem(str(work / 'iter_5.pth')) is None
