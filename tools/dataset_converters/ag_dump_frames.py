"""Dump the annotated frames of the Charades videos with AG naming.

Frame ``VID.mp4/000089.png`` is the 89th decoded frame (1-based, native
frame rate), as in the official Action Genome toolkit. By default only the
frames listed in ``annotations/frame_list.txt`` are kept. Videos whose
frames all exist are skipped, so the tool can be re-run after an
interruption. Decoding uses ffmpeg when it is on the PATH, else PyAV.

Example::

    python tools/dataset_converters/ag_dump_frames.py \
        data/action_genome data/Charades_v1_480 --workers 8
"""
import argparse
import os
import os.path as osp
import shutil
import subprocess
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Dict, List, Optional


def read_frame_list(data_root: str) -> Dict[str, List[int]]:
    """Frame numbers to keep per video, from ``frame_list.txt``.

    Args:
        data_root (str): AG root.

    Returns:
        dict[str, list[int]]: ``'001YG.mp4'`` -> sorted frame numbers.
    """
    path = osp.join(data_root, 'annotations', 'frame_list.txt')
    if not osp.isfile(path):
        raise FileNotFoundError(f'frame list not found: {path}')
    frames = defaultdict(set)
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            key = line.strip()
            if not key:
                continue
            video, _, name = key.rpartition('/')
            try:
                frames[video].add(int(osp.splitext(name)[0]))
            except ValueError:
                raise ValueError(f'{path}, line {lineno}: bad key {key!r} '
                                 "(expected 'VID.mp4/000089.png')") from None
    return {v: sorted(n) for v, n in frames.items()}


def _dump_ffmpeg(video: str, tmp: str) -> None:
    cmd = [
        'ffmpeg', '-loglevel', 'error', '-nostdin', '-i', video, '-vsync',
        '0', '-start_number', '1',
        osp.join(tmp, '%06d.png')
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:  # ffmpeg's own message, not a bare exit code
        raise RuntimeError(f'ffmpeg exit code {proc.returncode}: '
                           f'{proc.stderr.strip()[-500:]}')


def _dump_pyav(video: str, tmp: str, keep: Optional[set]) -> None:
    import av
    import cv2
    with av.open(video) as container:
        for i, frame in enumerate(container.decode(video=0), 1):
            if keep is None or i in keep:
                cv2.imwrite(
                    osp.join(tmp, f'{i:06d}.png'),
                    frame.to_ndarray(format='bgr24'))


def dump_video(video_id: str, numbers: Optional[List[int]], video_dir: str,
               out_dir: str, backend: str) -> str:
    """Dump one video's frames (all, or ``numbers``).

    Args:
        video_id (str): ``'001YG.mp4'``.
        numbers (list[int], optional): Frame numbers to keep; None keeps all.
        video_dir (str): Folder of the Charades videos.
        out_dir (str): ``<data_root>/frames``.
        backend (str): ``'ffmpeg'`` or ``'pyav'``.

    Returns:
        str: ``'skipped'``, ``'done'`` or an error message.
    """
    dst = osp.join(out_dir, video_id)
    if numbers is not None and all(
            osp.isfile(osp.join(dst, f'{n:06d}.png')) for n in numbers):
        return 'skipped'
    src = osp.join(video_dir, video_id)
    if not osp.isfile(src):
        return f'missing video {src}'
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        try:
            if backend == 'ffmpeg':
                _dump_ffmpeg(src, tmp)
            else:
                _dump_pyav(src, tmp, None if numbers is None else set(numbers))
        except Exception as e:  # report and go on with the other videos
            return f'failed {src}: {type(e).__name__}: {e}'
        if not os.listdir(tmp):  # never an empty frame folder
            return f'failed {src}: no frame could be decoded'
        names = sorted(os.listdir(tmp)) if numbers is None else [
            f'{n:06d}.png' for n in numbers
        ]
        missing = [n for n in names if not osp.isfile(osp.join(tmp, n))]
        os.makedirs(dst, exist_ok=True)  # only once frames exist
        for n in names:
            if n not in missing:
                shutil.move(osp.join(tmp, n), osp.join(dst, n))
    if missing:
        return (f'{video_id}: {len(missing)} listed frame(s) beyond the '
                f'decoded frames, e.g. {missing[0]}')
    return 'done'


def parse_args():
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('data_root', help='AG root (annotations/ inside)')
    parser.add_argument('video_dir', help='folder of Charades .mp4 videos')
    parser.add_argument('--workers', type=int, default=4)
    parser.add_argument(
        '--all-frames',
        action='store_true',
        help='keep every decoded frame, not only frame_list.txt')
    parser.add_argument('--backend', choices=['auto', 'ffmpeg', 'pyav'],
                        default='auto')
    return parser.parse_args()


def main():
    """Dump all videos of the frame list in parallel."""
    args = parse_args()
    backend = args.backend
    if backend == 'auto':
        backend = 'ffmpeg' if shutil.which('ffmpeg') else 'pyav'
    wanted = read_frame_list(args.data_root)
    out_dir = osp.join(args.data_root, 'frames')
    os.makedirs(out_dir, exist_ok=True)
    counts = defaultdict(int)
    problems = []
    with ThreadPoolExecutor(args.workers) as pool:
        futures = [
            pool.submit(dump_video, vid,
                        None if args.all_frames else nums, args.video_dir,
                        out_dir, backend) for vid, nums in wanted.items()
        ]
        for i, fut in enumerate(as_completed(futures), 1):
            status = fut.result()
            key = status if status in ('done', 'skipped') else 'problem'
            counts[key] += 1
            if key == 'problem':
                problems.append(status)
            if i % 100 == 0 or i == len(futures):
                print(f'{i}/{len(futures)} videos: {dict(counts)}')
    for p in problems:
        print(p)
    if problems:
        raise SystemExit(f'{len(problems)} video(s) had problems')


if __name__ == '__main__':
    main()
