"""Atomic file writes: a reader sees the old file or the whole new one.

The data goes to a temporary file in the destination's folder (same file
system), is flushed and ``fsync``-ed, and replaces the destination with
``os.replace`` (atomic on POSIX and Windows); the folder is then synced so
the rename survives a power loss. A process killed at any point leaves
either the previous file or the complete new one, and at most a
``.NAME.tmp-PID`` file (never under the destination's name).
"""
import contextlib
import os
import os.path as osp
from typing import IO, Iterator, Union

__all__ = ['atomic_write', 'atomic_write_bytes', 'tmp_path_for']


def tmp_path_for(path: str) -> str:
    """The temporary name :func:`atomic_write` writes ``path`` under."""
    folder, name = osp.split(osp.abspath(path))
    return osp.join(folder, f'.{name}.tmp-{os.getpid()}')


def _sync_folder(folder: str) -> None:
    """``fsync`` a folder (where the platform allows opening one)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str, mode: str = 'wb',
                 encoding: Union[str, None] = None) -> Iterator[IO]:
    """Open ``path`` for writing so that it appears only when whole.

    Args:
        path (str): Destination file.
        mode (str): ``'wb'`` (default) or ``'w'``.
        encoding (str, optional): Text encoding (``'w'``; default utf-8).

    Yields:
        file: The temporary file; on normal exit it replaces ``path``, on
        an exception it is removed and ``path`` is left as it was.
    """
    if mode not in ('w', 'wb'):
        raise ValueError(f"atomic_write: mode must be 'w' or 'wb', got "
                         f'{mode!r}')
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = tmp_path_for(path)
    kwargs = {} if mode == 'wb' else dict(encoding=encoding or 'utf-8')
    try:
        with open(tmp, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    _sync_folder(folder)


def atomic_write_bytes(path: str, data: Union[bytes, memoryview]) -> None:
    """Write ``data`` to ``path`` atomically (:func:`atomic_write`)."""
    with atomic_write(path, 'wb') as f:
        f.write(data)
