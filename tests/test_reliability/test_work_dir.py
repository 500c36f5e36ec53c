"""One training per work dir: a live holder refuses a second run (naming
its process and start time), a killed holder's lock is taken over with a
warning (a scheduler's --resume retry works), and a work dir that is a
file is refused before anything is built."""
import importlib.util
import json
import os
import os.path as osp
import signal
import subprocess
import sys

import pytest

from vost.utils.work_dir import (LOCK_NAME, WorkDirBusyError, WorkDirLock,
                                 check_work_dir)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOY = osp.join(REPO, 'tests', 'data', 'configs', 'toy_runtime.py')
# the holder loads the module by its file: no torch, a fast start
HOLD = ('import importlib.util, sys, time; '
        'spec = importlib.util.spec_from_file_location("wd", sys.argv[2]); '
        'wd = importlib.util.module_from_spec(spec); '
        'spec.loader.exec_module(wd); '
        'wd.WorkDirLock(sys.argv[1], command="holder").acquire(); '
        'print("held", flush=True); time.sleep(120)')


@pytest.fixture
def train(monkeypatch):
    """``tools/train.py``'s ``main`` with a command line, in this process
    (the toy config: 2 iterations of a linear model)."""
    spec = importlib.util.spec_from_file_location(
        'train_tool', osp.join(REPO, 'tools', 'train.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    monkeypatch.setenv('LOCAL_RANK', '0')

    def run(work_dir, *extra):
        monkeypatch.setattr(sys, 'argv', [
            'train.py', TOY, '--work-dir', str(work_dir), '--cfg-options',
            'train_cfg.max_iters=2', 'custom_hooks=[]', *extra])
        tool.main()

    return run


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


def test_train_refuses_a_file_as_work_dir(tmp_path, train):
    path = tmp_path / 'out'
    path.write_text('x')
    with pytest.raises(SystemExit) as info:
        train(path)
    assert str(info.value.code) == (
        f'error: --work-dir {path} is a file (1 bytes), not a folder: '
        'choose another --work-dir, or move the file')
    assert path.read_text() == 'x'


def test_train_refuses_a_held_work_dir_then_resumes_after_a_kill(
        tmp_path, train, capsys):
    holder = subprocess.Popen(
        [sys.executable, '-c', HOLD, str(tmp_path),
         osp.join(REPO, 'vost', 'utils', 'work_dir.py')],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == 'held'
        with pytest.raises(SystemExit) as info:
            train(tmp_path)
        message = str(info.value.code)
        assert message.startswith(
            f'error: work dir {tmp_path} is in use by a running training: '
            f'process {holder.pid} on host '), message
        assert '(holder)' in message
        assert os.listdir(tmp_path) == [LOCK_NAME]  # nothing ran
    finally:
        holder.send_signal(signal.SIGKILL)  # as a lost job: no clean end
        holder.wait()
    capsys.readouterr()
    train(tmp_path, '--resume')  # the scheduler's retry
    assert (f'warning: work dir {tmp_path}: taking over the lock of '
            f'process {holder.pid}') in capsys.readouterr().err
    assert osp.isfile(tmp_path / 'iter_2.pth')
    assert (tmp_path / LOCK_NAME).read_text() == ''  # released at the end
