"""Write a synthetic Action Genome dataset in the exact AG on-disk format.

Two worlds (``docs/synthetic_action_genome.md``): ``'simple'``, drawn by
:mod:`.generator` (one look per class, every label decidable from one
frame; kept byte for byte), and ``'video'`` (:mod:`.video`: motion,
occlusion, many looks, a long tail, varied frame sizes). Each video is
generated from its own random generator seeded by ``(seed, video index)``,
so the output depends only on the arguments, not on the number of worker
processes.
"""
import json
import os.path as osp
from collections import Counter
from typing import Callable, Optional, Tuple

from vost.ag_format import write_annotations
from vost.utils.atomic_io import atomic_write
from .generator import render_video

__all__ = ['WORLDS', 'make_synthetic_ag']


def _render_star(args):
    return render_video(*args)


def _render_video_star(args):
    from .video.world import render_video_world
    return render_video_world(*args)


#: The synthetic worlds by name (docs/synthetic_action_genome.md).
WORLDS = ('simple', 'video')


def make_synthetic_ag(out_dir: str,
                      num_videos: int,
                      num_frames: int = 10,
                      seed: int = 0,
                      size: Optional[Tuple[int, int]] = None,
                      test_fraction: float = 0.25,
                      num_workers: int = 0,
                      progress: Optional[Callable] = None,
                      max_people: int = 1,
                      world: str = 'simple',
                      web: bool = False) -> dict:
    """Generate a synthetic Action Genome dataset.

    Writes ``<out_dir>/annotations/`` (the five AG files) and
    ``<out_dir>/frames/VID.mp4/NNNNNN.png``; the video world also writes
    ``annotations/synthetic_subsets.json`` (its frame subsets, motion
    predicates and per-predicate ceiling, :mod:`.video.world`).

    Args:
        out_dir (str): Output root.
        num_videos (int): Number of videos.
        num_frames (int): Annotated frames per video (every 32nd video,
            from index 5, gets 2, to exercise the video-length filter).
            Defaults to 10.
        seed (int): Seed; the output is a function of the arguments.
            Defaults to 0.
        size (tuple[int, int], optional): Frame (W, H) of every video.
            Defaults to None: (256, 256) in the simple world; in the video
            world each video draws its own size and aspect ratio.
        test_fraction (float): Share of test videos. Defaults to 0.25.
        num_workers (int): Worker processes (0: in this process).
        progress (Callable, optional): Wraps the iterator of finished videos
            (e.g. ``tqdm`` with ``total=num_videos``).
        max_people (int): ``K``: people per video uniform in ``1..K``;
            ``K > 1`` adds a ``'subject'`` (person row) to every object
            record (see :mod:`.people`). Defaults to 1 (one person, no
            ``'subject'``).
        world (str): ``'simple'`` (the first world, byte for byte) or
            ``'video'`` (motion, occlusion, many looks, a long tail, varied
            frame sizes). Defaults to ``'simple'``.
        web (bool): Video world only: the VLM's web set (roles, classes
            and looks drawn uniformly). Defaults to False.

    Returns:
        dict: ``videos``, ``frames`` and the ``out_dir``.
    """
    if num_videos < 1 or num_frames < 1:
        raise ValueError('num_videos and num_frames must be >= 1, got '
                         f'{num_videos} and {num_frames}')
    if max_people < 1:
        raise ValueError(f'max_people must be >= 1, got {max_people}')
    if world not in WORLDS:
        raise ValueError(f'world must be one of {WORLDS}, got {world!r}')
    if world == 'simple' and web:
        raise ValueError("the simple world has no web set (web=True is the "
                         "video world's)")
    if world == 'simple' and size is None:
        size = (256, 256)
    frames_dir = osp.join(out_dir, 'frames')
    size = None if size is None else tuple(size)
    jobs = [(i, seed, num_frames, size, test_fraction, frames_dir,
             max_people) + ((web, ) if world == 'video' else ())
            for i in range(num_videos)]
    star = _render_star if world == 'simple' else _render_video_star
    if num_workers > 0:
        import multiprocessing as mp
        with mp.get_context('fork').Pool(num_workers) as pool:
            it = pool.imap(star, jobs, chunksize=4)
            results = list(progress(it) if progress else it)
    else:
        it = (star(j) for j in jobs)
        results = list(progress(it) if progress else it)
    person, objects, frame_list, tags = {}, {}, [], []
    for res in results:
        for key, p, o in res[1]:
            person[key], objects[key] = p, o
            frame_list.append(key)
        tags += res[2] if world == 'video' else []
    write_annotations(out_dir, person, objects, frame_list)
    if world == 'video':
        from .video.world import world_summary
        path = osp.join(out_dir, 'annotations', 'synthetic_subsets.json')
        with atomic_write(path, 'w') as f:
            json.dump(world_summary(tags, seed, web), f, indent=1)
    split = Counter(
        o[0]['metadata']['set'] for o in objects.values() if o)
    return dict(out_dir=out_dir, videos=num_videos, frames=len(frame_list),
                world=world, splits=dict(split))
