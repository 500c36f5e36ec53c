"""One video of the video world, and the world's subsets and ceiling.

:func:`render_video_world` has the signature of the simple world's
:func:`..generator.render_video` (plus ``web``) and returns, besides the
frames, the per-frame tags that :func:`world_summary` turns into
``annotations/synthetic_subsets.json``:

- ``frames``: the test key frames with an occluded object (less than 70 %
  of its in-frame pixels visible: behind another object, the person or the
  occluder) and with a border-cut object (less than 85 % of its box inside
  the frame);
- ``predicates``: the motion-decided predicates;
- ``ceiling``: per predicate, the test labels (of visible records) and the
  share decidable from the key frame alone and from the window
  ``t-1..t+1`` (the test clip of the temporal configs), by the generator's
  own knowledge of what is drawn (``tags['labels']`` in
  :func:`.render.video_records`).
"""
import os
import os.path as osp
from collections import Counter
from functools import partial
from typing import List, Optional, Tuple

import cv2
import numpy as np

from vost.structures.ag_meta import PREDICATES
from ..generator import _background, _entry, draw_frame, person_entry
from ..people import sample_people
from ..scene import pose_frame
from .motion import apply_motion
from .render import (VideoPainter, object_boxes, sample_effects,
                     sample_size, video_records)
from .scene import sample_video_scene

__all__ = ['MOTION_PREDICATES', 'render_video_world', 'world_summary']

MOTION_PREDICATES = ('wiping', 'twisting', 'writing_on', 'eating',
                     'drinking_from')


def render_video_world(video_index: int,
                       seed: int,
                       num_frames: int,
                       size: Optional[Tuple[int, int]],
                       test_fraction: float,
                       frames_dir: Optional[str],
                       max_people: int = 1,
                       web: bool = False) -> Tuple[str, list, list]:
    """Generate one video of the video world.

    Args:
        video_index (int): Index of the video.
        seed (int): Dataset seed.
        num_frames (int): Key frames of a normal video (every 32nd video,
            from index 5, has at most 2).
        size (tuple[int, int], optional): (W, H) of every video; None draws
            each video's from :data:`.render.SIZES`.
        test_fraction (float): Probability of the test split.
        frames_dir (str, optional): ``<root>/frames``; None renders only.
        max_people (int): ``K`` (see :mod:`..people`). Defaults to 1.
        web (bool): The VLM's web set (uniform roles, classes and looks).
            Defaults to False.

    Returns:
        tuple: ``video_id``, ``(key, person_entry, object_entries)`` per
        frame, and per frame its tags (``split``, ``occluded``,
        ``border_cut``, ``labels``).
    """
    rng = np.random.default_rng([seed, video_index])
    split = 'test' if rng.random() < test_fraction else 'train'
    if video_index % 32 == 5:
        num_frames = min(num_frames, 2)
    video_id = f'V{video_index:04d}.mp4'
    width, height = tuple(size) if size is not None else sample_size(rng)
    scenes = sample_people(rng, [seed, video_index, 1], width, height,
                           num_frames, max_people,
                           partial(sample_video_scene, web=web))
    bg = _background(rng, width, height, min(sc.ground for sc in scenes))
    frame_numbers = np.cumsum(rng.integers(8, 40, num_frames)) + int(
        rng.integers(0, 30))
    effects = sample_effects(
        np.random.default_rng([seed, video_index, 2]), scenes[0], width,
        height, num_frames)
    poses_all = []
    for t in range(num_frames):
        poses = []
        for sc in scenes:
            body, places = pose_frame(sc, t)
            apply_motion(sc, body, places, t)
            poses.append((body, places))
        poses_all.append(poses)
    boxes_all = [object_boxes(scenes, poses) for poses in poses_all]
    if frames_dir is not None:
        os.makedirs(osp.join(frames_dir, video_id), exist_ok=True)
    thick = max(1, int(round(width / 128)))
    masks = [np.zeros((height, width), np.uint8) for _ in scenes]
    out, tags_all = [], []
    for t in range(num_frames):
        img = bg.copy()
        painter = VideoPainter(width, height, effects)
        frame = draw_frame(img, scenes, t, masks, thick, poses_all[t],
                           painter)
        number = int(frame_numbers[t])
        key = f'{video_id}/{number:06d}.png'
        if frames_dir is not None:
            cv2.imwrite(osp.join(frames_dir, key), img)
        tags = dict(split=split, key=key)
        objects = video_records(
            scenes, frame, masks, (width, height),
            lambda name: _entry(video_id, name, number, split),
            max_people > 1, painter, t, poses_all, boxes_all, tags)
        person = person_entry(scenes, frame, t, width, height)
        out.append((key, person, objects))
        tags_all.append(tags)
    return video_id, out, tags_all


def world_summary(tags: List[dict], seed: int, web: bool) -> dict:
    """The content of ``annotations/synthetic_subsets.json``.

    Args:
        tags (list[dict]): Every frame's tags (:func:`render_video_world`).
        seed (int): Dataset seed.
        web (bool): Whether this is the web set.

    Returns:
        dict: ``world``, ``seed``, ``web``, ``frames`` (test keys per
        subset), ``predicates`` and ``ceiling`` (per predicate ``n``,
        ``frame`` and ``window``: shares of the test labels decidable from
        the key frame / the window).
    """
    test = [t for t in tags if t['split'] == 'test']
    n, frame, window = Counter(), Counter(), Counter()
    for t in test:
        for name, f, w in t['labels']:
            n[name] += 1
            frame[name] += bool(f)
            window[name] += bool(w)
    ceiling = {
        name: dict(n=n[name],
                   frame=round(frame[name] / n[name], 4) if n[name] else None,
                   window=round(window[name] / n[name], 4)
                   if n[name] else None)
        for name in PREDICATES
    }
    return dict(
        world='video', seed=seed, web=web,
        frames=dict(
            occluded=[t['key'] for t in test if t['occluded']],
            border_cut=[t['key'] for t in test if t['border_cut']]),
        predicates=dict(motion=list(MOTION_PREDICATES)),
        ceiling=ceiling)
