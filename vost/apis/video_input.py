"""A person's own video as key frames: probe, sample, decode in a stream.

A phone clip runs at 30 frames a second; Action Genome annotates about
one frame a second (its key frames, which the models are trained on).
:func:`sample_key_frames` picks the key frames of a video at a chosen
rate, :func:`decode_key_frames` decodes the video once, front to back,
and writes only those frames (so memory stays flat however long the
video is), and :func:`probe_video` gives a clear error for a file that is
unreadable, empty or truncated, naming it.
"""
import math
import os
import os.path as osp
from typing import List, NamedTuple, Optional, Sequence, Tuple

__all__ = [
    'VideoInfo', 'probe_video', 'sample_key_frames', 'decode_key_frames',
    'key_frame_input', 'describe_frame_indices', 'DEFAULT_SAMPLE_FPS'
]

#: Key frames per second by default: close to Action Genome's sampling
#: (about 234k annotated frames over 9.8k Charades videos of about 30 s).
DEFAULT_SAMPLE_FPS = 1.0


class VideoInfo(NamedTuple):
    """What a video file's header says.

    Attributes:
        path (str): The file.
        fps (float | None): Frames per second (None when the header has
            none).
        num_frames (int): Frames the header announces.
        width (int): Frame width in pixels.
        height (int): Frame height in pixels.
    """
    path: str
    fps: Optional[float]
    num_frames: int
    width: int
    height: int


def probe_video(path: str) -> VideoInfo:
    """Open a video and decode its first frame.

    Args:
        path (str): A video file.

    Returns:
        VideoInfo: Its frame rate, frame count and size.

    Raises:
        FileNotFoundError: No such file.
        ValueError: OpenCV cannot open it (unreadable), or no frame
            decodes (empty), naming the file.
    """
    import cv2
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such video file')
    if osp.getsize(path) == 0:
        raise ValueError(f'{path}: empty file (0 bytes)')
    cap = cv2.VideoCapture(path)
    try:
        if not cap.isOpened():
            raise ValueError(
                f'{path}: unreadable: OpenCV cannot open it (not a video, '
                'a truncated file that lost its index, e.g. an .mp4 '
                'without its moov atom, or a codec this OpenCV build '
                'lacks)')
        ok, frame = cap.read()
        if not ok or frame is None:
            raise ValueError(f'{path}: empty: the file opens but no frame '
                             'decodes')
        fps = cap.get(cv2.CAP_PROP_FPS)
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        if count <= 0:  # a header without a count: count the frames
            count = 1
            while cap.grab():
                count += 1
    finally:
        cap.release()
    fps = float(fps) if fps and math.isfinite(fps) and fps > 0 else None
    height, width = frame.shape[:2]
    return VideoInfo(path, fps, count, width, height)


def sample_key_frames(num_frames: int,
                      fps: Optional[float] = None,
                      sample_fps: Optional[float] = None,
                      every: Optional[int] = None) -> List[int]:
    """The key frames of a video: every N-th frame, or a rate per second.

    Args:
        num_frames (int): Frames in the video.
        fps (float, optional): The video's frame rate (needed with
            ``sample_fps``).
        sample_fps (float, optional): Key frames per second: one frame
            every ``fps / sample_fps`` frames, rounded to the nearest
            frame (every frame when ``sample_fps >= fps``).
        every (int, optional): Every N-th frame instead. Neither given:
            every frame.

    Returns:
        list[int]: Increasing 0-based frame indices, the first is 0.

    Raises:
        ValueError: Both or a bad rate given, or ``sample_fps`` without
            the video's frame rate.
    """
    if num_frames < 1:
        raise ValueError(f'sample_key_frames: num_frames must be >= 1, got '
                         f'{num_frames}')
    if every is not None and sample_fps is not None:
        raise ValueError('give either every N frames or a sampling rate '
                         '(--every or --sample-fps), not both')
    if every is not None:
        if every < 1:
            raise ValueError(f'--every must be >= 1, got {every}')
        return list(range(0, num_frames, every))
    if sample_fps is None:
        return list(range(num_frames))
    if not sample_fps > 0:
        raise ValueError(f'--sample-fps must be > 0, got {sample_fps}')
    if fps is None:
        raise ValueError('the frame rate is unknown (a frame folder, or a '
                         'video whose header has none): use --every N '
                         'instead of --sample-fps')
    step = fps / sample_fps
    if step <= 1:
        return list(range(num_frames))
    indices = []
    k = 0
    while True:
        index = int(math.floor(k * step + 0.5))
        if index >= num_frames:
            return indices
        indices.append(index)
        k += 1


def decode_key_frames(info: VideoInfo,
                      key_frames: List[int],
                      frame_dir: str,
                      progress: bool = True,
                      tolerance: Optional[int] = None) -> List[str]:
    """Decode a video once and write its key frames as PNG files.

    Frames are read front to back and only the key frames are converted
    and written (``{frame_dir}/{index + 1:06d}.png``, Action Genome's
    1-based names), so memory holds one frame at a time.

    Args:
        info (VideoInfo): From :func:`probe_video`.
        key_frames (list[int]): Increasing frame indices to keep.
        frame_dir (str): Where the PNGs go (created).
        progress (bool): Show a progress bar (frames per second).
            Defaults to True.
        tolerance (int, optional): Frames the header's count may
            overstate (headers of some containers are a frame or two off):
            key frames in that tail that do not decode are reported and
            left out. Defaults to ``max(2, num_frames // 200)``.

    Returns:
        list[str]: The written frames, one per decoded key frame.

    Raises:
        ValueError: The video ends (or a frame fails to decode) before
            its last key frame, beyond ``tolerance``: truncated, naming
            the file and the frame.
    """
    import cv2
    from tqdm import tqdm

    from vost.utils.atomic_io import atomic_write_bytes
    if tolerance is None:
        tolerance = max(2, info.num_frames // 200)
    os.makedirs(frame_dir, exist_ok=True)
    wanted = set(key_frames)
    last = key_frames[-1] if key_frames else -1
    cap = cv2.VideoCapture(info.path)
    paths = []
    bar = tqdm(total=last + 1, desc='decoding', unit='frame',
               disable=not progress)
    index = -1
    try:
        while index < last:
            if not cap.grab():
                break
            index += 1
            bar.update(1)
            if index not in wanted:
                continue
            ok, frame = cap.retrieve()
            if not ok or frame is None:
                index -= 1  # this frame did not decode
                break
            path = osp.join(frame_dir, f'{index + 1:06d}.png')
            ok, png = cv2.imencode('.png', frame)
            if not ok:
                raise ValueError(f'{info.path}: frame {index}: OpenCV '
                                 'cannot encode it as PNG')
            atomic_write_bytes(path, png.tobytes())
            paths.append(path)
    finally:
        bar.close()
        cap.release()
    if index < last:
        missing = [k for k in key_frames if k > index]
        decoded = index + 1
        if decoded + tolerance < info.num_frames:
            raise ValueError(
                f'{info.path}: truncated: decoding stopped after frame '
                f'{decoded} of the {info.num_frames} its header announces '
                f'({len(missing)} key frames from frame {missing[0]} on '
                'never came); repair or re-encode the file (e.g. ffmpeg -i '
                'in.mp4 out.mp4)')
        print(f'{info.path}: the header announces {info.num_frames} frames, '
              f'{decoded} decode; key frames {missing} are past the end and '
              'left out')
    return paths


def describe_frame_indices(indices: Sequence[int], show: int = 4) -> str:
    """``'0, 30, 60, ..., 270'``: the first and last frame indices."""
    indices = list(indices)
    if len(indices) <= 2 * show:
        return ', '.join(map(str, indices))
    return (', '.join(map(str, indices[:show])) + ', ..., ' +
            ', '.join(map(str, indices[-2:])))


def key_frame_input(input_path: str,
                    frame_dir: str,
                    sample_fps: Optional[float] = None,
                    every: Optional[int] = None,
                    progress: bool = True) -> Tuple[List[str], List[int],
                                                    str]:
    """The key frames of a video file or a frame folder, as files.

    A video is sampled at ``sample_fps`` key frames a second (default
    :data:`DEFAULT_SAMPLE_FPS`) or every ``every``-th frame and only its
    key frames are decoded (:func:`decode_key_frames`). A folder of frames
    (already sampled, like Action Genome's) keeps every frame unless
    ``every`` is given; it has no frame rate, so ``sample_fps`` is
    refused.

    Args:
        input_path (str): A video file or a folder of frames.
        frame_dir (str): Where a video's key frames are written.
        sample_fps (float, optional): Key frames per second (videos).
        every (int, optional): Every N-th frame instead.
        progress (bool): Progress bar while decoding. Defaults to True.

    Returns:
        tuple: ``(paths, frame_indices, summary)``: the key frames' files,
        their 0-based frame indices in the input, and a line saying which
        frames were used and why.
    """
    from .inference import frames_from_input
    if osp.isdir(input_path):
        if sample_fps is not None:
            raise ValueError(f'{input_path}: a frame folder has no frame '
                             'rate: use --every N instead of --sample-fps')
        frames = frames_from_input(input_path, frame_dir)
        indices = sample_key_frames(len(frames), every=every)
        rule = f'1 in every {every} frames' if every else 'every frame'
        summary = (f'{input_path}: {len(frames)} frames in the folder; key '
                   f'frames: {rule}: {len(indices)} key frames, frame '
                   f'indices {describe_frame_indices(indices)}')
        return [frames[i] for i in indices], indices, summary
    info = probe_video(input_path)
    if sample_fps is None and every is None:
        sample_fps = DEFAULT_SAMPLE_FPS
    indices = sample_key_frames(info.num_frames, info.fps,
                                sample_fps=sample_fps, every=every)
    paths = decode_key_frames(info, indices, frame_dir, progress=progress)
    indices = indices[:len(paths)]
    fps = f'{info.fps:.2f} fps' if info.fps else 'no frame rate'
    if every:
        rule = f'1 in every {every} frames'
    else:
        rule = f'{sample_fps:g} per second'
        if info.fps:
            rule += f' (1 in every {info.fps / sample_fps:.3g} frames)'
    summary = (f'{input_path}: {info.width}x{info.height}, {fps}, '
               f'{info.num_frames} frames; key frames: {rule}: '
               f'{len(indices)} key frames, frame indices '
               f'{describe_frame_indices(indices)}')
    return paths, indices, summary
