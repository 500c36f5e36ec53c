"""One training per work dir: a live holder refuses a second run (naming
its process and start time), a killed holder's lock is taken over with a
warning (a scheduler's --resume retry works), and a work dir that is a
file is refused before anything is built."""
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest

from vost.utils.work_dir import (LOCK_NAME, WorkDirBusyError, WorkDirLock,
                                 check_work_dir)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOY = osp.join('tests', 'data', 'configs', 'toy_runtime.py')
HOLD = ('import sys, time; from vost.utils.work_dir import WorkDirLock; '
        'WorkDirLock(sys.argv[1], command="holder").acquire(); '
        'print("held", flush=True); time.sleep(120)')


def _env():
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    return env


def _train(work_dir, *extra):
    return subprocess.run(
        [sys.executable, 'tools/train.py', TOY, '--work-dir', str(work_dir),
         '--cfg-options', 'train_cfg.max_iters=2', 'custom_hooks=[]',
         *extra], cwd=REPO, env=_env(), capture_output=True, text=True,
        timeout=300)


def test_a_second_lock_is_refused_with_the_holder(tmp_path):
    first = WorkDirLock(str(tmp_path), command='train A').acquire()
    with pytest.raises(WorkDirBusyError) as info:
        WorkDirLock(str(tmp_path), command='train B').acquire()
    message = str(info.value)
    assert f'process {os.getpid()} ' in message
    record = json.loads((tmp_path / LOCK_NAME).read_text())
    assert record['pid'] == os.getpid() and record['command'] == 'train A'
    assert f"started {record['started']}" in message
    assert '(train A)' in message and 'another --work-dir' in message
    first.release()
    assert (tmp_path / LOCK_NAME).read_text() == ''  # a clean end
    again = WorkDirLock(str(tmp_path)).acquire()
    assert again.stale is None  # nothing to take over after a clean end
    again.release()


def test_a_dead_holder_is_taken_over_with_a_warning(tmp_path):
    dead = subprocess.Popen([sys.executable, '-c', 'pass'])
    dead.wait()
    record = dict(pid=dead.pid, host='h1', started='2026-01-01T10:00:00',
                  command='train.py old')
    (tmp_path / LOCK_NAME).write_text(json.dumps(record))  # no flock held
    lock = WorkDirLock(str(tmp_path)).acquire()
    assert lock.stale == record
    assert lock.stale_message() == (
        f'work dir {tmp_path}: taking over the lock of process {dead.pid} '
        'on host h1, started 2026-01-01T10:00:00 (train.py old), which is '
        'no longer running (it did not end cleanly: killed, or its machine '
        'was lost)')
    assert json.loads((tmp_path / LOCK_NAME).read_text())['pid'] == \
        os.getpid()
    lock.release()


def test_a_work_dir_that_is_a_file_is_named(tmp_path):
    path = tmp_path / 'results'
    path.write_text('12345')
    with pytest.raises(NotADirectoryError) as info:
        check_work_dir(str(path))
    assert str(info.value) == (
        f'--work-dir {path} is a file (5 bytes), not a folder: choose '
        'another --work-dir, or move the file')
    with pytest.raises(NotADirectoryError, match=r'results is a file \(5 '
                       r'bytes\), so no work dir can be made under it'):
        check_work_dir(str(path / 'a' / 'b'))
    check_work_dir(str(tmp_path / 'new' / 'dir'))  # absent: fine
    assert not osp.exists(tmp_path / 'new')


def test_train_refuses_a_file_as_work_dir(tmp_path):
    path = tmp_path / 'out'
    path.write_text('x')
    proc = _train(path)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert 'Traceback' not in proc.stderr
    assert f'error: --work-dir {path} is a file (1 bytes)' in proc.stderr
    assert path.read_text() == 'x'


def test_train_refuses_a_held_work_dir_then_resumes_after_a_kill(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, '-c', HOLD, str(tmp_path)], cwd=REPO, env=_env(),
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == 'held'
        proc = _train(tmp_path)
        assert proc.returncode == 1, proc.stderr[-2000:]
        assert 'Traceback' not in proc.stderr
        assert (f'error: work dir {tmp_path} is in use by a running '
                f'training: process {holder.pid} on host') in proc.stderr
        assert '(holder)' in proc.stderr
        assert os.listdir(tmp_path) == [LOCK_NAME]  # nothing ran
    finally:
        holder.send_signal(signal.SIGKILL)  # as a lost job: no clean end
        holder.wait()
    time.sleep(0.1)
    proc = _train(tmp_path, '--resume')  # the scheduler's retry
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (f'warning: work dir {tmp_path}: taking over the lock of '
            f'process {holder.pid}') in proc.stderr
    assert osp.isfile(tmp_path / 'iter_2.pth')
    assert (tmp_path / LOCK_NAME).read_text() == ''  # released at the end
