"""Sampling of a person of the video world: pose, tracks, looks, motion.

The same person as the simple world (:mod:`..scene`: the stick figure,
the placement roles, the gaze schedule), with what real video adds:

- **Long tail**: roles and classes drawn by Action Genome's counts
  (:mod:`.tail`); the web set draws them uniformly.
- **Many looks**: each track draws one of its class's looks and a colour
  jitter (:mod:`.looks`); small objects at a hand get a fixed tilt of up
  to +-0.5 rad (in the simple world only twisted objects are rotated).
- **Motion tells what the hands do** (:mod:`.motion`): every contact hand
  is drawn alike; the gesture shows only in how the hand and the object
  move over the key frames (wiping a back-and-forth path, twisting a
  rotation, writing small strokes, eating and drinking a hand-to-mouth
  path, holding and touching a still hand).
- **Leaving the frame**: walking people move faster (up to 4 px per key
  frame at 256 px) in a wider range (10 % to 90 % of the width), so a
  walking person and the objects beside it can be cut by the border;
  objects beside the person drift up to 2 px per key frame and may leave.
"""
import math
from typing import Optional, Tuple

import numpy as np

from vost.structures.ag_meta import OBJECT_CLASSES
from ..sampling import gaze_schedule, layer_and_params
from ..scene import (_LIE_ROLES, _STATIC_ROLES, ROLE_CLASSES, ROLES, Track,
                     VideoScene)
from .looks import sample_look
from .tail import POSE_PROBS, POSE_SUPPORT, class_weight, role_weights

__all__ = ['sample_video_scene', 'MOTION_ROLES']

#: Roles whose contact gesture is decided by motion.
MOTION_ROLES = ('wipe', 'twist', 'write', 'drink', 'eat')
_POSES = ('stand', 'sit', 'lie', 'lean')
_FIRST = dict(sit='sit', lie='lie', lean='lean', stand='stand_on')


def _pick_roles(rng, pose: str, num: int, web: bool):
    roles, hands, used = [], 2, set()
    if rng.random() < POSE_SUPPORT[pose]:
        roles.append(_FIRST[pose])
        used.add(_FIRST[pose])
    weights = role_weights(web)
    names = [r for r in weights if pose != 'lie' or r in _LIE_ROLES]
    while len(roles) < num:
        ok = [
            r for r in names
            if ROLES[r][1] <= hands and not set(ROLES[r][2]) & used and (
                r != 'cover' or pose in ('sit', 'lie'))
        ]
        w = np.array([weights[r] for r in ok])
        role = ok[rng.choice(len(ok), p=w / w.sum())]
        hands -= ROLES[role][1]
        used.update(ROLES[role][2])
        roles.append(role)
    return roles


def _pick_class(rng, role: str, web: bool) -> int:
    ids = sorted(set(ROLE_CLASSES[role]))
    w = np.array([class_weight(OBJECT_CLASSES[i], web) for i in ids])
    return int(ids[rng.choice(len(ids), p=w / w.sum())])


def _motion(rng, role: str, num_frames: int) -> dict:
    """Per-track motion parameters (see :mod:`.motion`)."""
    return dict(
        omega=rng.uniform(1.5, 2.5),
        mphase=rng.uniform(0, 2 * math.pi),
        thumb=rng.uniform(-math.pi, math.pi),
        twist=float(rng.choice([-1, 1])) * rng.uniform(0.5, 0.9),
        strokes=rng.normal(0, 1, (num_frames, 2)).clip(-1.5, 1.5),
        tilt=rng.uniform(-0.5, 0.5) if role in (
            'held', 'drink', 'eat', 'twist') else 0.)


def sample_video_scene(rng: np.random.Generator,
                       width: int,
                       height: int,
                       num_frames: int,
                       band: Optional[Tuple[float, float]] = None,
                       shrink: float = 1.,
                       max_lie_scale: Optional[float] = None,
                       web: bool = False) -> VideoScene:
    """Sample a person of the video world (the arguments of
    :func:`..scene.sample_scene`, plus ``web``).

    Args:
        rng (np.random.Generator): The person's generator.
        width (int): Frame width.
        height (int): Frame height.
        num_frames (int): Key frames in the video.
        band (tuple[float, float], optional): (x1, x2) of the person's
            band. Defaults to the whole frame.
        shrink (float): Factor on the standing height. Defaults to 1.
        max_lie_scale (float, optional): Cap on a lying person's standing
            height. Defaults to None.
        web (bool): Uniform roles and classes (the VLM's web set).
            Defaults to False.

    Returns:
        VideoScene: The person; its tracks carry ``look``, ``jitter`` and
        ``motion``.
    """
    pose = _POSES[rng.choice(4, p=[POSE_PROBS[p] for p in _POSES])]
    facing = int(rng.choice([-1, 1]))
    lo, bw = (0., float(width)) if band is None else (band[0],
                                                       band[1] - band[0])
    s = rng.uniform(0.5, 0.66) * min(height, 1.3 * width) * shrink
    if pose == 'lie' and max_lie_scale is not None:
        s = min(s, max_lie_scale)
    if pose == 'lie':
        s = min(s, width / 1.25)
    ground = rng.uniform(0.86, 0.97) * height
    if pose == 'lie':
        ground = rng.uniform(0.72, 0.85) * height
    cx = lo + rng.uniform(0.25, 0.75) * bw
    num = int(rng.choice([1, 2, 3, 4, 5], p=[.2, .3, .25, .15, .1]))
    roles = _pick_roles(rng, pose, num, web)
    free_hands = [0, 1] if facing < 0 else [1, 0]
    tracks = []
    unit = width / 256
    for role in roles:
        label = _pick_class(rng, role, web)
        look = sample_look(rng, label)
        size = np.array(look['look'].size) * s * rng.uniform(0.85, 1.2)
        nh = ROLES[role][1] if role in ROLES else 0
        hands, free_hands = free_hands[:nh], free_hands[nh:]
        layer, params = layer_and_params(rng, role, size, s, 2, unit)
        hidden = rng.random(num_frames) < 0.02
        track = Track(label, role, layer, size, hands, params, hidden)
        track.look, track.jitter = look['look'], look['jitter']
        track.motion = _motion(rng, role, num_frames)
        tracks.append(track)
    moving = pose == 'stand' and not any(t.role in _STATIC_ROLES
                                         for t in tracks)
    targets, switches, occluded = gaze_schedule(rng, len(tracks), num_frames)
    return VideoScene(
        pose=pose,
        facing=facing,
        scale=s,
        ground=ground,
        cx=cx,
        walk=(lo + 0.1 * bw, lo + 0.9 * bw),
        x_range=None,
        vx=rng.uniform(-4, 4) * unit if moving else 0.,
        face_visible=rng.random() > 0.1,
        shirt=tuple(int(c) for c in rng.integers(60, 200, 3)),
        trousers=tuple(int(c) for c in rng.integers(20, 90, 3)),
        tracks=tracks,
        targets=targets,
        gaze_owner=None,
        switches=switches,
        occluded=occluded,
        no_person_box=rng.random(num_frames) < 0.015,
        width=width,
        height=height)
