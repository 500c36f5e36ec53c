"""Draws shared by the worlds' person samplers (:mod:`.scene`,
:mod:`.video.scene`): a track's layer and placement parameters, the gaze
schedule. Each keeps the exact order of its random draws, so that the
simple world's output stays byte for byte."""
import math

import numpy as np

__all__ = ['layer_and_params', 'gaze_schedule']


def layer_and_params(rng: np.random.Generator, role: str, size, s: float,
                     drift: float, unit: float) -> tuple:
    """A track's layer and placement parameters.

    Objects held at a hand are drawn over the body (and over larger
    objects); big objects touched at arm's length stay behind; 30 % of the
    objects beside the person are in front.

    Args:
        rng (np.random.Generator): The person's generator.
        role (str): The placement role.
        size (np.ndarray): (w, h) of the object in pixels.
        s (float): Standing height.
        drift (float): Largest drift of an object beside the person, in
            ``unit`` per frame.
        unit (float): Pixels of one drift unit (``width / 256``).

    Returns:
        tuple: ``'front'`` or ``'behind'``, and the params dict.
    """
    at_hand = role in ('twist', 'touch', 'wipe') and max(size) < 0.3 * s
    layer = 'front' if at_hand or role in (
        'held', 'carried', 'drink', 'eat', 'wear', 'cover', 'other',
        'write') else 'behind'
    if role == 'side' and rng.random() < 0.3:
        layer = 'front'
    params = dict(
        a=rng.uniform(0.05, 0.25),
        b=rng.uniform(0.05, 0.3),
        u=rng.uniform(-1, 1),
        v=rng.uniform(-1, 1),
        phase=rng.uniform(0, 2 * math.pi),
        side=int(rng.choice([-1, 1])),
        gap=rng.uniform(0.03, 0.35),
        drift=rng.uniform(-drift, drift) * unit)
    return layer, params


def gaze_schedule(rng: np.random.Generator, num_tracks: int,
                  num_frames: int) -> tuple:
    """The gaze target per frame and the head-occlusion frames.

    Args:
        rng (np.random.Generator): The person's generator.
        num_tracks (int): The person's tracks.
        num_frames (int): Frames in the video.

    Returns:
        tuple: ``targets`` ((F,) int: a track or -1, switching with
        probability 0.12 per frame), ``switches`` ((F,) bool, frame 0 in)
        and ``occluded`` ((F,) bool: 5 % of the frames, not the ends).
    """
    targets = np.empty(num_frames, int)
    switches = np.zeros(num_frames, bool)
    switches[0] = True
    cur = int(rng.integers(-1, num_tracks)) if rng.random() < 0.85 else -1
    for t in range(num_frames):
        if rng.random() < 0.12:
            cur = int(rng.integers(-1, num_tracks))
            switches[t] = True
        targets[t] = cur
    occluded = rng.random(num_frames) < 0.05
    occluded[[0, -1]] = False
    return targets, switches, occluded
