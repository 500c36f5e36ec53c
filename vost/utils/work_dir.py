"""One training per work dir: a lock held for the run's lifetime.

Two trainings into one work dir (a second terminal, a scheduler retrying
a job that still runs) would share its timestamp folder and log, and
overwrite each other's ``iter_*.pth`` and ``last_checkpoint``.
``tools/train.py`` therefore takes :class:`WorkDirLock` on
``{work_dir}/.train.lock`` before it builds anything (rank 0 of a
distributed run only):

- a live holder refuses the run with :class:`WorkDirBusyError`, naming the
  holder's process id, host, start time and command;
- a lock file left by a killed run (``kill -9``, a lost node) is taken
  over, with a warning naming the dead run; ``--resume`` after a crash
  therefore works as before.

The lock is ``fcntl.flock`` on the file: the kernel releases it when the
holder's process ends, however it ends, so liveness never rests on a
process id (which may be reused, or belong to another host). The holder's
record (JSON) is written into the same file after the lock is taken, and
emptied on a clean exit; a record found in a free file is therefore a run
that did not end cleanly. The file is rewritten in place, not replaced:
replacing it (an atomic rename) would give the next run another inode
than the one locked. Where ``fcntl`` is missing (Windows) no lock is
taken and the run says so.

:func:`check_work_dir` refuses a work dir that is (or lies under) a file,
before anything is built.
"""
import datetime
import json
import os
import os.path as osp
import socket
import sys
import warnings
from typing import Optional

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

__all__ = [
    'LOCK_NAME', 'WorkDirBusyError', 'WorkDirLock', 'check_work_dir',
    'lock_work_dir'
]

#: The lock file's name inside the work dir.
LOCK_NAME = '.train.lock'


class WorkDirBusyError(RuntimeError):
    """A live training holds the work dir (the message names it)."""


def check_work_dir(work_dir: str, option: str = '--work-dir') -> None:
    """Refuse a work dir that cannot be a folder.

    Args:
        work_dir (str): The work dir (it may not exist yet).
        option (str): How the user set it, for the message.

    Raises:
        NotADirectoryError: ``work_dir``, or the nearest of its parents that
            exists, is not a folder.
    """
    path = osp.abspath(work_dir)
    while not osp.exists(path):
        parent = osp.dirname(path)
        if parent == path:
            return
        path = parent
    if osp.isdir(path):
        return
    size = osp.getsize(path)
    if path == osp.abspath(work_dir):
        raise NotADirectoryError(
            f'{option} {work_dir} is a file ({size} bytes), not a folder: '
            f'choose another {option}, or move the file')
    raise NotADirectoryError(
        f'{option} {work_dir}: {path} is a file ({size} bytes), so no work '
        f'dir can be made under it: choose another {option}, or move the '
        'file')


def _describe(record: dict) -> str:
    return (f"process {record.get('pid', '?')} on host "
            f"{record.get('host', '?')}, started {record.get('started', '?')}"
            f" ({record.get('command', '?')})")


class WorkDirLock:
    """The work dir's training lock (see the module doc).

    Args:
        work_dir (str): The work dir; created if absent.
        command (str, optional): Recorded as the holder's command. Defaults
            to this process's command line.
    """

    def __init__(self, work_dir: str, command: Optional[str] = None) -> None:
        self.work_dir = work_dir
        self.path = osp.join(work_dir, LOCK_NAME)
        self.command = command or ' '.join(sys.argv)
        self._fd: Optional[int] = None
        #: The record of a run that held the lock and did not end cleanly
        #: (set by :meth:`acquire` when it takes a stale lock over).
        self.stale: Optional[dict] = None

    def _read(self) -> Optional[dict]:
        os.lseek(self._fd, 0, os.SEEK_SET)
        data = b''
        while True:
            chunk = os.read(self._fd, 65536)
            if not chunk:
                break
            data += chunk
        if not data.strip():
            return None
        try:
            record = json.loads(data.decode('utf-8'))
        except (ValueError, UnicodeDecodeError):
            return dict(pid='?', command=f'unreadable record in {self.path}')
        return record if isinstance(record, dict) else dict(pid='?')

    def acquire(self) -> 'WorkDirLock':
        """Take the lock, or refuse.

        Returns:
            WorkDirLock: ``self``.

        Raises:
            WorkDirBusyError: A live process holds it.
        """
        check_work_dir(self.work_dir)
        os.makedirs(self.work_dir, exist_ok=True)
        if fcntl is None:
            warnings.warn(f'{self.work_dir}: this platform has no fcntl: '
                          'the work dir is not locked against a second run')
            return self
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # BlockingIOError: another open file holds it
            holder = self._read() or {}
            os.close(self._fd)
            self._fd = None
            raise WorkDirBusyError(
                f'work dir {self.work_dir} is in use by a running training: '
                f'{_describe(holder)}. Two runs into one work dir would mix '
                'their logs and checkpoints: wait for it to end, or train '
                f'into another --work-dir (lock file: {self.path})') from None
        self.stale = self._read()
        record = dict(pid=os.getpid(), host=socket.gethostname(),
                      started=datetime.datetime.now().astimezone().isoformat(
                          timespec='seconds'),
                      command=self.command)
        data = json.dumps(record).encode('utf-8')
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)
        os.fsync(self._fd)
        return self

    def stale_message(self) -> Optional[str]:
        """The warning on a stale lock taken over, or None."""
        if self.stale is None:
            return None
        return (f'work dir {self.work_dir}: taking over the lock of '
                f'{_describe(self.stale)}, which is no longer running (it '
                'did not end cleanly: killed, or its machine was lost)')

    def release(self) -> None:
        """Empty the record and release the lock (a clean end)."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
            os.fsync(self._fd)
        finally:
            os.close(self._fd)  # closing the file releases the flock
            self._fd = None

    def __enter__(self) -> 'WorkDirLock':
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def lock_work_dir(work_dir: str) -> Optional[WorkDirLock]:
    """Take the work dir's lock in the run's first process only.

    A distributed run (``RANK`` set by torchrun, ``SLURM_PROCID`` by srun)
    takes it in global rank 0; the other ranks share it.

    Args:
        work_dir (str): The work dir.

    Returns:
        WorkDirLock | None: The held lock (release it at the end; the OS
        does if the process dies), None on the other ranks. Taking over a
        stale lock prints a warning (``warning: work dir ...: taking over
        the lock of process ...``) to stderr.

    Raises:
        WorkDirBusyError: A live run holds the work dir.
        NotADirectoryError: The work dir is a file.
    """
    rank = os.environ.get('RANK', os.environ.get('SLURM_PROCID', '0'))
    if str(rank) != '0':
        return None
    lock = WorkDirLock(work_dir).acquire()
    if lock.stale is not None:
        print(f'warning: {lock.stale_message()}', file=sys.stderr,
              flush=True)
    return lock
