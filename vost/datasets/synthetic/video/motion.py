"""Motion of the hands and held objects over the key frames (video world).

Every contact hand is drawn alike (a skin disc with a dark rim and a thumb
line, :func:`draw_video_hands`): what a hand does shows only in how it
and its object move from key frame to key frame (``t`` counts the
annotated frames, spaced as Action Genome samples them). With ``s`` the
standing height, ``w`` the object's extent along the motion, ``omega`` in
``[1.5, 2.5]`` rad per key frame and a random phase per track:

- ``wipe`` (rub): the hand slides back and forth over the object,
  ``A sin(omega t + phase)`` along the object's long axis,
  ``A = min(0.1 s, 0.35 w)``; the object stays still.
- ``twist`` (turn): the hand stays; the thumb and the object rotate by
  ``0.5-0.9`` rad per key frame.
- ``write``: the hand makes small strokes (up to ``0.04 s`` in random
  directions) over a still object.
- ``drink`` / ``eat``: the hand carries the object between the mouth and
  the chest, ``0.8 (0.5 - 0.5 cos(omega t + phase))`` of the way.
- ``held`` / ``carried``: the object moves with the hand (the simple
  world's wobble); ``touch``: a still hand on a still object.

The thumb keeps a fixed angle per track but for twisting.
"""
import math
from typing import Dict, List, Optional

import cv2
import numpy as np

from ..body import SKIN, Body

__all__ = ['apply_motion', 'draw_video_hands']


def apply_motion(scene, body: Body, places: List[Optional[Dict]],
                 t: int) -> None:
    """Move the hands and objects of frame ``t`` by their tracks' motion.

    Args:
        scene (VideoScene): The person (tracks with ``motion``).
        body (Body): The frame's body from :func:`..scene.pose_frame`,
            modified in place (hands, ``thumbs``).
        places (list[dict | None]): The tracks' placements, modified in
            place (``centre``, ``angle``).
        t (int): Key frame index.
    """
    s, p = body.scale, body.points
    body.thumbs = [0., 0.]
    for tr, pl in zip(scene.tracks, places):
        m = tr.motion
        hand_key = ('hand_l', 'hand_r')[tr.hands[0]] if tr.hands else None
        thumb = m['thumb']
        centre = None if pl is None else pl['centre']
        if tr.role == 'wipe':
            w, h = tr.size
            axis = np.array([1., 0.]) if w >= h else np.array([0., 1.])
            amp = min(0.1 * s, 0.35 * max(w, h))
            p[hand_key] = p[hand_key] + amp * math.sin(
                m['omega'] * t + m['mphase']) * axis
        elif tr.role == 'twist':
            thumb = thumb + m['twist'] * t
            if pl is not None:
                pl['angle'] = m['tilt'] + m['twist'] * t
        elif tr.role == 'write':
            p[hand_key] = p[hand_key] + 0.025 * s * m['strokes'][t]
        elif tr.role in ('drink', 'eat'):
            k = 0.8 * (0.5 - 0.5 * math.cos(m['omega'] * t + m['mphase']))
            shift = (p['torso'] - p['mouth']) * k
            p[hand_key] = p[hand_key] + shift
            if pl is not None:
                pl['centre'] = centre + shift
                pl['angle'] = m['tilt']
        elif tr.role == 'held' and pl is not None:
            pl['angle'] = m['tilt']
        for hnd in tr.hands:
            body.thumbs[hnd] = thumb


def draw_video_hands(img: np.ndarray, body: Body) -> None:
    """Draw every non-resting hand alike: a skin disc, a dark rim and a
    thumb line at the hand's thumb angle.

    Args:
        img (np.ndarray): (H, W, 3) uint8 image, drawn in place.
        body (Body): The person with ``gestures`` and ``thumbs``.
    """
    rad = body.marker_radius
    lw = max(1, rad // 3)
    for hand, gesture, thumb in zip(body.hands, body.gestures, body.thumbs):
        if gesture == 'rest':
            continue
        c = (int(round(hand[0])), int(round(hand[1])))
        cv2.circle(img, c, rad, SKIN, -1)
        cv2.circle(img, c, rad, (20, 20, 20), 1)
        tip = (int(round(hand[0] + 1.4 * rad * math.cos(thumb))),
               int(round(hand[1] + 1.4 * rad * math.sin(thumb))))
        cv2.line(img, c, tip, (30, 50, 90), lw)
