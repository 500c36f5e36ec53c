"""Several people in one synthetic video (``max_people > 1``).

With ``max_people=K > 1`` a video has ``n`` people, ``n`` drawn uniformly
in ``1..K``. Person 0 is sampled from the video's generator exactly as the
single person of ``K=1`` (the same draws), people ``1..n-1`` and every
other multi-person choice from a second generator seeded by
``(seed, video index, 1)``, so ``K=1`` output does not change.

Rules (also in ``docs/synthetic_action_genome.md``):

- **Bands**: the frame width is split into ``n`` equal bands, person ``i``
  (left to right) in band ``i``: its hip x is drawn in ``[0.32, 0.68]`` of
  the band and a walking person bounces in ``[0.25, 0.75]`` of the band.
- **Scale**: standing height ``U(0.5, 0.66) H / (1 + 0.25 (n - 1))``; a
  lying person (about ``1.05 s`` wide) at most ``(W / n) / 1.2``.
- **Fit**: the hip x is kept where the person's drawn box of frame 0 (plus
  ``0.03 s + 2`` px each side) stays inside its band (the walking range
  too); a person wider than its band is centred on it, inside the frame.
- **Floor**: the darker floor band starts at the highest ground line of
  all people.
- **Cross gaze**: each time a person's gaze target is (re)drawn, frame 0
  included, with probability :data:`CROSS_GAZE` it becomes a random object
  of another person until the next switch.
"""
from typing import Callable, List

import numpy as np

from .scene import VideoScene, pose_frame, sample_scene

__all__ = ['CROSS_GAZE', 'LIE_WIDTH', 'people_shrink', 'sample_people']

#: Probability that a gaze switch targets another person's object.
CROSS_GAZE = 0.15
#: With ``K > 1`` a lying person is at most ``band width / LIE_WIDTH`` tall
#: (lying, it is about ``1.05 s`` wide).
LIE_WIDTH = 1.2


def people_shrink(num_people: int) -> float:
    """Factor on the standing height of ``num_people`` people.

    Args:
        num_people (int): People in the video.

    Returns:
        float: ``1 / (1 + 0.25 (n - 1))``.
    """
    return 1 / (1 + 0.25 * (num_people - 1))


def _fit(scene: VideoScene, band) -> None:
    """Restrict the hip x so that the person stays in its band."""
    body, _ = pose_frame(scene, 0)
    x1, _, x2, _ = body.extent()
    cx = float(body.points['seat'][0])
    margin = 0.03 * scene.scale + 2
    left, right = cx - x1 + margin, x2 - cx + margin
    lo, hi = band[0] + left, band[1] - right
    if lo > hi:  # wider than its band: centred, inside the frame
        mid = (lo + hi) / 2
        lo = hi = min(max(mid, left), max(left, scene.width - right))
    scene.x_range = (lo, hi)
    scene.cx = min(max(scene.cx, lo), hi)
    walk = (max(scene.walk[0], lo), min(scene.walk[1], hi))
    if walk[1] - walk[0] > 1:
        scene.walk = walk
    else:
        scene.vx = 0.


def _cross_gaze(rng: np.random.Generator, scenes: List[VideoScene]) -> None:
    n = len(scenes)
    for k, sc in enumerate(scenes):
        starts = np.flatnonzero(sc.switches).tolist()
        for a, b in zip(starts, starts[1:] + [len(sc.targets)]):
            if rng.random() < CROSS_GAZE:
                j = (k + 1 + int(rng.integers(0, n - 1))) % n
                sc.targets[a:b] = int(rng.integers(0, len(scenes[j].tracks)))
                sc.gaze_owner[a:b] = j


def sample_people(rng: np.random.Generator, extra_seed, width: int,
                  height: int, num_frames: int,
                  max_people: int = 1,
                  sampler: Callable = sample_scene) -> List[VideoScene]:
    """Sample the people of a video, left to right.

    Args:
        rng (np.random.Generator): The video's generator (person 0).
        extra_seed: Seed of the generator of everything else, e.g.
            ``[seed, video_index, 1]``; not used when ``max_people == 1``.
        width (int): Frame width.
        height (int): Frame height.
        num_frames (int): Frames in the video.
        max_people (int): ``K``: the number of people is uniform in
            ``1..K``. Defaults to 1.
        sampler (Callable): Samples one person, with the arguments of
            :func:`.scene.sample_scene` (the video world passes its own).
            Defaults to :func:`.scene.sample_scene`.

    Returns:
        list[VideoScene]: One scene per person, in band order, each with
        ``gaze_owner`` set.
    """
    if max_people < 1:
        raise ValueError(f'max_people must be >= 1, got {max_people}')
    if max_people == 1:
        scenes = [sampler(rng, width, height, num_frames)]
        scenes[0].gaze_owner = np.zeros(num_frames, int)
        return scenes
    extra = np.random.default_rng(extra_seed)
    n = int(extra.integers(1, max_people + 1))
    bands = [(i * width / n, (i + 1) * width / n) for i in range(n)]
    scenes = [
        sampler(rng if i == 0 else extra, width, height, num_frames,
                     bands[i], people_shrink(n), (width / n) / LIE_WIDTH)
        for i in range(n)
    ]
    for k, (sc, band) in enumerate(zip(scenes, bands)):
        sc.gaze_owner = np.full(num_frames, k)
        _fit(sc, band)
    if n > 1:
        _cross_gaze(extra, scenes)
    return scenes
