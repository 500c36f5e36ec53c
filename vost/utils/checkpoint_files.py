"""Checkpoint files: written whole, checked before they are read.

Every checkpoint VOST's runner writes goes through
:class:`AtomicLocalBackend` (mmengine file backend ``'vost_atomic_local'``,
set by ``SGRunner.save_checkpoint`` for local folders): the bytes go to a
temporary file, are synced and renamed over the destination
(:mod:`vost.utils.atomic_io`), so a ``*.pth`` is never half written.
``AtomicCheckpointHook`` writes ``last_checkpoint`` the same way, after the
checkpoint, and removes old checkpoints only after both.

Every local checkpoint read goes through ``load_from_local_trusted``
(:mod:`vost.utils.compat`), which calls :func:`checkpoint_problem` first: a
truncated, empty or foreign file raises :class:`CheckpointError` naming the
file and what is wrong, instead of torch's unpickling or zip error.
"""
import glob
import os
import os.path as osp
import re
import zipfile
from typing import List, Optional, Tuple

from mmengine.fileio import LocalBackend, register_backend

from .atomic_io import atomic_write, atomic_write_bytes

__all__ = [
    'CheckpointError', 'AtomicLocalBackend', 'ATOMIC_BACKEND',
    'checkpoint_problem', 'newest_intact_checkpoint',
    'remove_stale_tmp_files'
]

#: The mmengine file backend name of :class:`AtomicLocalBackend`.
ATOMIC_BACKEND = 'vost_atomic_local'
#: First bytes of a legacy (non-zip) ``torch.save`` file: a pickle.
_PICKLE_MAGIC = b'\x80'


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read (the message names it)."""


class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend with atomic ``put`` and
    ``put_text``."""

    def put(self, obj: bytes, filepath) -> None:
        """Write bytes to ``filepath`` atomically."""
        atomic_write_bytes(str(filepath), obj)

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        """Write text to ``filepath`` atomically."""
        with atomic_write(str(filepath), 'w', encoding=encoding) as f:
            f.write(obj)


register_backend(ATOMIC_BACKEND, AtomicLocalBackend, force=True)


def checkpoint_problem(path: str) -> Optional[str]:
    """What makes a local checkpoint file unreadable, or None.

    ``torch.save`` writes a zip archive (a legacy pickle with
    ``_use_new_zipfile_serialization=False``): an archive must open and
    every member's CRC must match (a truncated save loses the archive's
    central directory at the end; a damaged one fails a CRC).

    Args:
        path (str): The file.

    Returns:
        str | None: A sentence on the problem, None for a whole file.
    """
    if not osp.exists(path):
        return 'does not exist'
    if osp.isdir(path):
        return 'is a folder, not a checkpoint file'
    size = osp.getsize(path)
    if size == 0:
        return 'is empty (0 bytes): an interrupted save or copy'
    with open(path, 'rb') as f:
        head = f.read(4)
    if head[:1] == _PICKLE_MAGIC:
        return None  # legacy torch format: torch.load judges it
    if not head.startswith(b'PK'):
        return (f'is not a PyTorch checkpoint ({size} bytes that are neither '
                'a torch.save zip archive nor a pickle)')
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        return (f'is truncated or damaged ({size} bytes; the zip archive '
                f'torch.save writes does not open: {exc})')
    if bad is not None:
        return f'is damaged (member {bad!r} fails its CRC check)'
    return None


def _step(path: str) -> Tuple[int, float]:
    """Sort key of a checkpoint: the number in its name, then its mtime."""
    numbers = re.findall(r'\d+', osp.basename(path))
    return (int(numbers[-1]) if numbers else -1, osp.getmtime(path))


def newest_intact_checkpoint(
        folder: str) -> Tuple[Optional[str], List[Tuple[str, str]]]:
    """The newest whole ``*.pth`` of a folder and the broken newer ones.

    Args:
        folder (str): A work dir.

    Returns:
        tuple: ``path`` (None if there is no whole checkpoint) and
        ``skipped``, ``(path, problem)`` of each newer broken file.
    """
    skipped = []
    paths = [p for p in glob.glob(osp.join(folder, '*.pth'))
             if not osp.basename(p).startswith('.')]
    for path in sorted(paths, key=_step, reverse=True):
        problem = checkpoint_problem(path)
        if problem is None:
            return path, skipped
        skipped.append((path, problem))
    return None, skipped


def remove_stale_tmp_files(folder: str) -> List[str]:
    """Remove ``.NAME.tmp-PID`` files left by killed writers in ``folder``
    (whose process is gone); return their paths."""
    removed = []
    for path in glob.glob(osp.join(folder, '.*.tmp-*')):
        pid = path.rsplit('-', 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            os.remove(path)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    """Whether a process of this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
