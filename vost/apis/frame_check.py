"""Check a video's frame files before a model is loaded.

The demos read a folder of frames (or frames decoded from a video). One
corrupt file among them would otherwise surface, after the model is loaded,
as mmcv's ``AssertionError: failed to load image`` deep inside the
pipeline, with the output folders already made. :func:`check_frames`
decodes every frame first, with the decoder the test pipeline uses
(``mmcv.imfrombytes``, OpenCV's; mmdet's ``LoadImageFromFile`` default),
and either stops at the first unreadable one, naming it, or (``skip_bad``)
leaves it out with a warning naming it.
"""
import os.path as osp
import sys
from typing import Callable, List, Optional, Sequence

__all__ = ['FrameReadError', 'frame_problem', 'check_frames']


class FrameReadError(ValueError):
    """An input frame that cannot be read (the message names it)."""


def frame_problem(path: str) -> Optional[str]:
    """Why the pipeline could not read an image file, or None.

    Args:
        path (str): The frame file.

    Returns:
        str | None: A phrase on the problem (``'is empty (0 bytes)'``,
        ``'cannot be decoded as an image (...)'``), None for a readable
        frame.
    """
    import mmcv
    if not osp.isfile(path):
        return 'does not exist'
    size = osp.getsize(path)
    if size == 0:
        return 'is empty (0 bytes)'
    try:
        with open(path, 'rb') as f:
            img = mmcv.imfrombytes(f.read(), flag='color')
    except Exception as exc:  # any decoder failure is the file's problem
        return (f'cannot be decoded as an image ({size} bytes; '
                f'{type(exc).__name__}: {exc})')
    if img is None or getattr(img, 'size', 0) == 0:
        return (f'cannot be decoded as an image ({size} bytes: corrupt, '
                'truncated or not an image)')
    return None


def _warn(message: str) -> None:
    print(f'warning: {message}', file=sys.stderr, flush=True)


def check_frames(frames: Sequence[str],
                 skip_bad: bool = False,
                 warn: Callable[[str], None] = _warn,
                 skip_option: str = '--skip-bad-frames') -> List[str]:
    """Decode every frame; stop at an unreadable one, or skip it.

    Args:
        frames (Sequence[str]): Frame files in temporal order.
        skip_bad (bool): Leave unreadable frames out (each one warned
            about) instead of raising. Defaults to False.
        warn (Callable[[str], None]): Receives each skip warning. Defaults
            to a ``warning: ...`` line on stderr.
        skip_option (str): The option that sets ``skip_bad``, named in the
            error. Defaults to ``'--skip-bad-frames'``.

    Returns:
        list[str]: The readable frames, in order.

    Raises:
        FrameReadError: A frame is unreadable and ``skip_bad`` is False, or
            no frame is readable.
    """
    good = []
    for index, path in enumerate(frames):
        problem = frame_problem(path)
        if problem is None:
            good.append(path)
            continue
        where = f'frame {index + 1} of {len(frames)}, {path},'
        if not skip_bad:
            raise FrameReadError(
                f'{where} {problem}: replace or remove it, or pass '
                f'{skip_option} to leave unreadable frames out')
        warn(f'skipping {where} which {problem}')
    if not good:
        raise FrameReadError(
            f'none of the {len(frames)} frames can be read (the first: '
            f'{frames[0] if frames else "-"})')
    return good
