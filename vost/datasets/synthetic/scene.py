"""Sampling of a synthetic person: its pose, its objects and their motion.

A person has a fixed pose and 1-5 object tracks (a video has one person,
or several with ``max_people > 1``, see :mod:`.people`). Each track
has a *role* that only decides where the object is placed (at a hand, at
the mouth, under the seat, beside the person, ...); the labels are computed
afterwards from the drawn geometry by :mod:`.rules`. Role weights give an
Action Genome-like imbalance (holding and not_contacting frequent;
twisting, writing_on, drinking_from rare).
"""
import math
from typing import Dict, List, Optional, Tuple

import numpy as np

from vost.structures.ag_meta import OBJECT_NAME_TO_ID, normalize_name
from .body import Body, make_body
from .looks import LOOKS
from .sampling import gaze_schedule, layer_and_params

__all__ = [
    'Track', 'VideoScene', 'sample_scene', 'pose_frame'
]


def _ids(*names):
    return [OBJECT_NAME_TO_ID[normalize_name(n)] for n in names]


ROLE_CLASSES = dict(
    held=_ids('cup/glass/bottle', 'phone/camera', 'book', 'box', 'bag',
              'broom', 'dish', 'medicine', 'food', 'paper/notebook', 'towel',
              'vacuum', 'laptop', 'pillow', 'groceries', 'sandwich',
              'clothes', 'shoe', 'blanket'),
    carried=_ids('box', 'bag', 'groceries', 'laptop', 'pillow', 'blanket',
                 'clothes'),
    drink=_ids('cup/glass/bottle'),
    eat=_ids('food', 'sandwich'),
    touch=_ids('table', 'door', 'refrigerator', 'closet/cabinet',
               'television', 'laptop', 'shelf', 'mirror', 'window', 'picture',
               'light', 'doorknob', 'bed', 'sofa/couch'),
    # Doorknobs are always < 16 px: bottles and towels twice as likely.
    twist=_ids('doorknob', 'cup/glass/bottle', 'cup/glass/bottle', 'towel',
               'towel'),
    wipe=_ids('table', 'window', 'mirror', 'dish'),
    write=_ids('paper/notebook', 'book'),
    sit=_ids('chair', 'sofa/couch', 'bed'),
    lie=_ids('bed', 'sofa/couch', 'floor'),
    stand_on=_ids('floor'),
    lean=_ids('door', 'refrigerator', 'closet/cabinet', 'shelf', 'table'),
    wear=_ids('clothes', 'shoe'),
    cover=_ids('blanket', 'towel', 'clothes'),
    back=_ids('bag'),
    other=_ids('pillow', 'box', 'bag', 'vacuum', 'broom'),
    side=_ids('bag', 'book', 'box', 'broom', 'chair', 'cup/glass/bottle',
              'dish', 'food', 'groceries', 'laptop', 'medicine',
              'phone/camera', 'pillow', 'sandwich', 'shoe', 'towel',
              'vacuum', 'table', 'television', 'picture', 'mirror', 'shelf',
              'refrigerator', 'door', 'window', 'light', 'clothes',
              'blanket', 'paper/notebook', 'doorknob'),
    above=_ids('light', 'picture', 'window', 'shelf', 'television',
               'mirror'),
    behind=_ids('door', 'closet/cabinet', 'refrigerator', 'television',
                'window', 'picture', 'mirror', 'shelf'),
    inside=_ids('doorway', 'closet/cabinet'),
)
#: role -> (weight, hands needed, other body resources)
ROLES = dict(
    held=(26, 1, ()),
    side=(16, 0, ()),
    above=(4, 0, ()),
    behind=(5, 0, ()),
    inside=(1.5, 0, ('inside', )),
    touch=(7, 1, ()),
    wear=(4, 0, ('torso', )),
    carried=(4, 2, ('torso', )),
    drink=(1.5, 1, ('mouth', )),
    eat=(1.5, 1, ('mouth', )),
    back=(1.5, 0, ('back', )),
    twist=(2, 1, ()),
    wipe=(1.5, 1, ()),
    write=(1.5, 1, ()),
    other=(3, 0, ('knee', )),
    cover=(2.5, 0, ('knee', )),
)
_GESTURE = dict(
    held='grip', carried='grip', drink='grip', eat='grip', touch='open',
    twist='turn', wipe='rub', write='write')
_LIE_ROLES = ('held', 'side', 'above', 'behind', 'drink', 'eat', 'cover',
              'other', 'wear')
_STATIC_ROLES = ('touch', 'wipe', 'twist', 'write', 'sit', 'lie',
                 'stand_on', 'lean', 'behind', 'inside')


class Track:
    """One object over the video.

    Attributes:
        label (int): AG object id.
        role (str): Placement role.
        layer (str): ``'front'`` or ``'behind'``.
        size (np.ndarray): (w, h) in pixels.
        hands (list[int]): Hands (0 left, 1 right) the role uses.
        params (dict): Role-specific placement parameters.
        hidden (np.ndarray): (F,) bool, frames where it is invisible.
    """

    def __init__(self, label, role, layer, size, hands, params, hidden):
        self.label, self.role, self.layer = label, role, layer
        self.size, self.hands, self.params = size, hands, params
        self.hidden = hidden


class VideoScene:
    """Everything sampled once per person (see :func:`sample_scene`).

    Besides the sampled state it holds ``walk`` (the bounce range of the hip
    x), ``x_range`` (None, or the (min, max) hip x that keeps the person in
    its band, set by :mod:`.people`), ``switches`` (frames where the gaze
    target was redrawn, frame 0 included) and ``gaze_owner`` (None, or per
    frame the index of the person owning the gaze target track).
    """

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


def _pick_roles(rng, pose: str, num: int) -> List[str]:
    roles = []
    hands = 2
    used = set()
    first = dict(sit=('sit', .92), lie=('lie', .95), lean=('lean', .95),
                 stand=('stand_on', .3))[pose]
    if rng.random() < first[1]:
        roles.append(first[0])
        used.add(first[0])
    names = [r for r in ROLES if pose != 'lie' or r in _LIE_ROLES]
    while len(roles) < num:
        ok = [
            r for r in names
            if ROLES[r][1] <= hands and not set(ROLES[r][2]) & used and (
                r != 'cover' or pose in ('sit', 'lie'))
        ]
        w = np.array([ROLES[r][0] for r in ok])
        role = ok[rng.choice(len(ok), p=w / w.sum())]
        hands -= ROLES[role][1]
        used.update(ROLES[role][2])
        roles.append(role)
    return roles


def sample_scene(rng: np.random.Generator,
                 width: int,
                 height: int,
                 num_frames: int,
                 band: Optional[Tuple[float, float]] = None,
                 shrink: float = 1.,
                 max_lie_scale: Optional[float] = None) -> VideoScene:
    """Sample a person, its tracks, motion and gaze schedule.

    The fractions of the hip position (0.32-0.68) and of the walking range
    (0.25-0.75) apply to ``band``; the draws from ``rng`` do not depend on
    ``band``, ``shrink`` and ``max_lie_scale``.

    Args:
        rng (np.random.Generator): The person's generator.
        width (int): Frame width.
        height (int): Frame height.
        num_frames (int): Frames in the video.
        band (tuple[float, float], optional): (x1, x2) of the person's
            vertical band. Defaults to the whole frame.
        shrink (float): Factor on the standing height. Defaults to 1.
        max_lie_scale (float, optional): Cap on the standing height of a
            lying person (who is about 1.05 times as wide). Defaults to
            None (no cap).

    Returns:
        VideoScene: The person's latent state.
    """
    pose = ['stand', 'sit', 'lie', 'lean'][rng.choice(4,
                                                      p=[.55, .27, .08, .1])]
    facing = int(rng.choice([-1, 1]))
    lo, bw = (0., float(width)) if band is None else (band[0],
                                                       band[1] - band[0])
    s = rng.uniform(0.5, 0.66) * height * shrink
    if pose == 'lie' and max_lie_scale is not None:
        s = min(s, max_lie_scale)
    ground = rng.uniform(0.86, 0.97) * height
    if pose == 'lie':
        ground = rng.uniform(0.72, 0.85) * height
    cx = lo + rng.uniform(0.32, 0.68) * bw
    num = int(rng.choice([1, 2, 3, 4, 5], p=[.2, .3, .25, .15, .1]))
    roles = _pick_roles(rng, pose, num)
    free_hands = [0, 1] if facing < 0 else [1, 0]  # front hand first
    tracks = []
    for role in roles:
        label = int(rng.choice(ROLE_CLASSES[role]))
        size = np.array(LOOKS[label].size) * s * rng.uniform(0.85, 1.2)
        nh = ROLES[role][1] if role in ROLES else 0
        hands, free_hands = free_hands[:nh], free_hands[nh:]
        layer, params = layer_and_params(rng, role, size, s, 0.6,
                                         width / 256)
        hidden = rng.random(num_frames) < 0.03
        if rng.random() < 0.08:
            start = int(rng.integers(0, num_frames))
            hidden[start:start + int(rng.integers(1, 4))] = True
        tracks.append(Track(label, role, layer, size, hands, params, hidden))
    moving = pose == 'stand' and not any(t.role in _STATIC_ROLES
                                         for t in tracks)
    targets, switches, occluded = gaze_schedule(rng, len(tracks), num_frames)
    return VideoScene(
        pose=pose,
        facing=facing,
        scale=s,
        ground=ground,
        cx=cx,
        walk=(lo + 0.25 * bw, lo + 0.75 * bw),
        x_range=None,
        vx=rng.uniform(-1.5, 1.5) * width / 256 if moving else 0.,
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


def _bounce(x, lo, hi):
    span = hi - lo
    y = (x - lo) % (2 * span)
    return lo + (y if y <= span else 2 * span - y)


def pose_frame(scene: VideoScene, t: int) -> (Body, List[Optional[Dict]]):
    """Body and object placements of frame ``t``.

    Args:
        scene (VideoScene): The video.
        t (int): Frame index.

    Returns:
        tuple: The :class:`Body` (hands and gestures set) and, per track,
        a dict with ``centre``, ``size``, ``angle`` (None when hidden).
    """
    s, f, W = scene.scale, scene.facing, scene.width
    cx = _bounce(scene.cx + scene.vx * t, *scene.walk)
    if scene.x_range is not None:
        cx = min(max(cx, scene.x_range[0]), scene.x_range[1])
    body = make_body(scene.pose, f, s, cx, scene.ground)
    p = body.points
    up = np.array([0., -1.])
    fwd = np.array([f, 0.]) if scene.pose != 'lie' else up
    down = -up if scene.pose != 'lie' else np.array([-f, 0.])
    out = []
    for tr in scene.tracks:
        q = tr.params
        w, h = tr.size
        wob = 0.02 * s * math.sin(0.7 * t + q['phase'])
        angle, size = 0., tr.size.copy()
        shoulder = p[('shoulder_l', 'shoulder_r')[tr.hands[0]]] \
            if tr.hands else None
        role = tr.role
        if role == 'held':
            hand = shoulder + fwd * (q['a'] + 0.05) * s + down * (
                q['b'] + 0.05) * s + wob
            centre = hand + fwd * 0.02 * s
        elif role == 'carried':
            centre = p['seat'] + fwd * 0.12 * s - down * 0.1 * s + wob
            size[0] = max(w, 0.36 * s)
            for i, hnd in enumerate(tr.hands):
                p[('hand_l', 'hand_r')[hnd]] = centre + np.array(
                    [(-1) ** (i + 1) * 0.12 * s, 0.])
            hand = None
        elif role in ('drink', 'eat'):
            centre = p['mouth'] + fwd * 0.04 * s + down * 0.05 * s
            size = np.maximum(size, 0.14 * s)
            hand = centre + down * 0.01 * s
        elif role in ('touch', 'wipe', 'twist', 'write'):
            hand = shoulder + fwd * (0.2 + q['a'] * 0.5) * s + down * (
                0.1 + q['b'] * 0.5) * s
            small = max(w, h) < 0.3 * s
            if small:
                centre = hand + fwd * 0.01 * s
            else:
                centre = hand + fwd * 0.3 * w + down * 0.3 * h
            if role == 'twist':
                angle = 0.6
        elif role in ('sit', 'lie', 'stand_on'):
            key = 'seat' if role != 'stand_on' else 'foot_l'
            top = p[key][1] - (0.03 if role != 'lie' else 0.05) * s
            if role == 'sit':
                size[1] = max(scene.ground - top, 0.2 * s)
            if role == 'lie':
                size[0] = max(w, 1.15 * s)
            if role == 'stand_on':
                size[0] = max(w, 0.5 * s)
            centre = np.array([p['seat'][0] - f * 0.05 * s * q['u'],
                               top + size[1] / 2])
            hand = None
        elif role == 'lean':
            centre = p['lean'] + np.array([f * (w / 2 - 0.05 * s),
                                           0.2 * h * q['v']])
            hand = None
        elif role == 'wear':
            if LOOKS[tr.label].shape == 'triangle':  # shoe
                foot = p['foot_r' if f > 0 else 'foot_l']
                centre = foot + np.array([f * 0.02 * s, -0.02 * s])
            else:
                centre = p['torso']
            hand = None
        elif role == 'cover':
            knee = p['knee_r' if f > 0 else 'knee_l']
            centre = (p['seat'] + knee) / 2
            size = np.maximum(size, np.abs(knee - p['seat']) + 0.12 * s)
            hand = None
        elif role == 'back':
            centre = p['back'].copy()
            hand = None
        elif role == 'other':
            knee = p['knee_r' if f > 0 else 'knee_l']
            centre = knee + np.array([f * 0.06 * s, 0.])
            hand = None
        elif role == 'above':
            centre = np.array([p['head'][0] + q['u'] * 0.1 * s,
                               p['head'][1] - body.head_radius -
                               (0.06 + 0.15 * q['a']) * s - h / 2])
            hand = None
        elif role == 'behind':
            centre = p['torso'] + np.array([q['u'] * 0.2 * s,
                                            -0.12 * s * abs(q['v'])])
            hand = None
        elif role == 'inside':
            box = body.box(scene.width, scene.height)
            size = np.array([box[2] - box[0] + 0.25 * s,
                             box[3] - box[1] + 0.2 * s])
            centre = (box[:2] + box[2:]) / 2
            hand = None
        else:  # side
            box = body.box(scene.width, scene.height)
            edge = box[2] if q['side'] > 0 else box[0]
            x = edge + q['side'] * (q['gap'] * s + w / 2) + q['drift'] * t
            y = scene.ground - h / 2 - 0.5 * s * (q['v'] + 1) / 2
            centre = np.array([_bounce(x, 0, W), y])
            hand = None
        if role in _GESTURE and role != 'carried':
            p[('hand_l', 'hand_r')[tr.hands[0]]] = hand
        for hnd in tr.hands:
            body.gestures[hnd] = _GESTURE[role]
        out.append(
            None if tr.hidden[t] else dict(
                centre=centre, size=size, angle=angle))
    return body, out
