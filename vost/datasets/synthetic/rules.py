"""The predicate rules of the synthetic dataset (labels from pixels).

Every label of a (person, object) pair is computed from the drawn frame by
the rules below, never sampled. Notation: ``P`` the person box (height
``ph``), ``O`` the object box, ``s`` the person's standing height,
``in(p)`` "point ``p`` lies inside ``O``", ``supports(p)`` "``in(p)`` and
the top of ``O`` is at most ``0.08 s`` above ``p``" (the object is under
``p``). The object is drawn either behind the person (``layer='behind'``)
or over the person's body (``layer='front'``); the hand markers are drawn
last. ``overlap`` is the number of body-mask pixels inside ``O``.

With several people (:mod:`.people`) the rules apply per (person, object)
pair, the person being the record's subject: its box, its own body mask,
its face, its gaze arrow, its hands; the topmost object under a hand is
taken over all objects of the frame.

Attention (exactly one):

- ``unsure``: the face is hidden (the head is a disc of hair).
- ``looking_at``: the gaze arrow, drawn from the eye, ends inside ``O``.
- ``not_looking_at``: otherwise.

In a few frames a grey cloud hides the head and the gaze arrow; the label
keeps the person's state of the neighbouring frames (temporal context).

Spatial (object relative to person, any number):

- ``in``: ``P`` lies inside ``O`` and ``O`` is behind; then no other
  spatial label.
- ``above``: ``O`` overlaps ``P`` horizontally and its bottom is above
  ``P.y1 + 0.1 ph``.
- ``beneath``: ``O`` overlaps ``P`` horizontally and its centre is below
  ``P.y1 + 0.75 ph``.
- ``on_the_side_of``: no horizontal overlap with ``P``.
- ``in_front_of`` / ``behind``: ``overlap >= min_overlap`` px, the
  object's centre is above ``P.y1 + 0.75 ph`` (so never with
  ``beneath``), and the layer is front / behind (the object covers the
  body / the body covers the object).

Contacting (hand gestures: ``grip``, ``open``, ``turn``, ``rub``,
``write``; a resting hand has no marker and touches nothing). A hand
touches only the *topmost* object drawn under it (the last drawn object
whose box holds the hand point); "a hand in ``O``" below means that:

- ``holding``: a ``grip`` hand in ``O``; ``carrying``: both hands grip it.
- ``touching`` / ``twisting`` / ``wiping`` / ``writing_on``: an ``open`` /
  ``turn`` / ``rub`` / ``write`` hand in ``O``.
- ``drinking_from``: ``in(mouth)``, a gripping hand, class cup/glass/bottle;
  ``eating``: the same with class food or sandwich.
- ``sitting_on`` / ``lying_on``: pose sit / lie and ``supports(seat)``.
- ``standing_on``: pose stand or lean and ``supports`` both feet.
- ``leaning_on``: pose lean and ``in(front shoulder)``.
- ``wearing``: front layer, class clothes or shoe, no hand in ``O`` and
  ``in(torso centre)`` or a foot in ``O``.
- ``covered_by``: front layer, class blanket, towel or clothes,
  ``in(seat)`` and a knee in ``O``.
- ``have_it_on_the_back``: behind layer, ``in(back point)`` and not
  ``in(torso centre)``.
- ``other_relationship``: none of the above, front layer and a knee in
  ``O``.
- ``not_contacting``: none of the above (always the case for ``in``).
"""
from typing import List, Optional, Sequence

import numpy as np

from vost.structures.ag_meta import (
    ATTENTION_PREDICATES,
    CONTACTING_PREDICATES,
    OBJECT_NAME_TO_ID,
    SPATIAL_PREDICATES,
)
from .body import Body

__all__ = [
    'attention_label', 'spatial_labels', 'contacting_labels', 'topmost_under'
]

_ATT = {n: i for i, n in enumerate(ATTENTION_PREDICATES)}
_SPA = {n: i for i, n in enumerate(SPATIAL_PREDICATES)}
_CON = {n: i for i, n in enumerate(CONTACTING_PREDICATES)}
_ID = OBJECT_NAME_TO_ID
CUPS = {_ID['cupglassbottle']}
FOODS = {_ID['food'], _ID['sandwich']}
WEARABLE = {_ID['clothes'], _ID['shoe']}
COVERS = {_ID['blanket'], _ID['towel'], _ID['clothes']}


def _inside(p, box) -> bool:
    return box[0] <= p[0] <= box[2] and box[1] <= p[1] <= box[3]


def attention_label(box: Sequence[float], face_visible: bool,
                    gaze_end: Optional[np.ndarray]) -> int:
    """Local attention index of a pair.

    Args:
        box (Sequence[float]): Object XYXY box.
        face_visible (bool): Whether the person's face is visible.
        gaze_end (np.ndarray, optional): End of the gaze arrow, or None.

    Returns:
        int: 0 looking_at, 1 not_looking_at, 2 unsure.
    """
    if not face_visible:
        return _ATT['unsure']
    if gaze_end is not None and _inside(gaze_end, box):
        return _ATT['looking_at']
    return _ATT['not_looking_at']


def spatial_labels(box: Sequence[float], layer: str,
                   person_box: Sequence[float], overlap: int,
                   min_overlap: int) -> List[int]:
    """Local spatial indices of a pair (sorted).

    Args:
        box (Sequence[float]): Object XYXY box.
        layer (str): ``'front'`` or ``'behind'``.
        person_box (Sequence[float]): Person XYXY box.
        overlap (int): Body-mask pixels inside the object box.
        min_overlap (int): Pixels needed for a depth label.

    Returns:
        list[int]: Local spatial indices.
    """
    ox1, oy1, ox2, oy2 = box
    px1, py1, px2, py2 = person_box
    ph = py2 - py1
    if (layer == 'behind' and ox1 <= px1 and oy1 <= py1 and ox2 >= px2
            and oy2 >= py2):
        return [_SPA['in']]
    out = []
    hov = min(ox2, px2) - max(ox1, px1)
    cy = (oy1 + oy2) / 2
    if hov > 0 and oy2 <= py1 + 0.1 * ph:
        out.append(_SPA['above'])
    if hov > 0 and cy >= py1 + 0.75 * ph:
        out.append(_SPA['beneath'])
    if hov <= 0:
        out.append(_SPA['on_the_side_of'])
    if overlap >= min_overlap and cy < py1 + 0.75 * ph:
        out.append(_SPA['in_front_of' if layer == 'front' else 'behind'])
    return sorted(out)


def contacting_labels(box: Sequence[float], label: int, layer: str,
                      body: Body, contained: bool,
                      hand_gestures: Sequence[str]) -> List[int]:
    """Local contacting indices of a pair (sorted, never empty).

    Args:
        box (Sequence[float]): Object XYXY box.
        label (int): AG object id.
        layer (str): ``'front'`` or ``'behind'``.
        body (Body): The person (points, pose, gestures).
        contained (bool): Whether the person box lies inside the object box
            with the object behind (the ``in`` case).
        hand_gestures (Sequence[str]): Gestures of the hands whose topmost
            object this is (``rest`` hands excluded).

    Returns:
        list[int]: Local contacting indices.
    """
    if contained:
        return [_CON['not_contacting']]
    p, s = body.points, body.scale
    inside = lambda name: _inside(p[name], box)  # noqa: E731

    def supports(name):
        return inside(name) and box[1] >= p[name][1] - 0.08 * s

    gestures = [g for g in hand_gestures if g != 'rest']
    out = set()
    grips = gestures.count('grip')
    if grips:
        out.add('holding')
    if grips == 2:
        out.add('carrying')
    for gesture, name in (('open', 'touching'), ('turn', 'twisting'),
                          ('rub', 'wiping'), ('write', 'writing_on')):
        if gesture in gestures:
            out.add(name)
    if grips and inside('mouth'):
        if label in CUPS:
            out.add('drinking_from')
        elif label in FOODS:
            out.add('eating')
    if body.pose == 'sit' and supports('seat'):
        out.add('sitting_on')
    if body.pose == 'lie' and supports('seat'):
        out.add('lying_on')
    if body.pose in ('stand', 'lean') and supports('foot_l') and supports(
            'foot_r'):
        out.add('standing_on')
    if body.pose == 'lean' and inside('lean'):
        out.add('leaning_on')
    feet = inside('foot_l') or inside('foot_r')
    knees = inside('knee_l') or inside('knee_r')
    if (layer == 'front' and label in WEARABLE and not gestures
            and (inside('torso') or feet)):
        out.add('wearing')
    if layer == 'front' and label in COVERS and inside('seat') and knees:
        out.add('covered_by')
    if layer == 'behind' and inside('back') and not inside('torso'):
        out.add('have_it_on_the_back')
    if not out and knees and layer == 'front':
        out.add('other_relationship')
    if not out:
        out.add('not_contacting')
    return sorted(_CON[n] for n in out)


def topmost_under(point, boxes: Sequence[Optional[Sequence[float]]],
                  draw_order: Sequence[int]) -> int:
    """Index of the last drawn object whose box holds ``point``.

    Args:
        point (np.ndarray): (x, y).
        boxes (Sequence): XYXY box per object, None when not drawn.
        draw_order (Sequence[int]): Object indices in drawing order.

    Returns:
        int: The object index, or -1.
    """
    for i in reversed(draw_order):
        if boxes[i] is not None and _inside(point, boxes[i]):
            return i
    return -1
