"""Looks of the video world: several per class, some shared across classes.

In the simple world every class has one unique (shape, colour) pair, so a
class is a colour. Here each class has two to four looks (shape, colour,
texture, size as a fraction of the person's standing height ``s``), and
groups of classes share a look and differ only in size or in context (what
the person does with the object, where it stands):

- ``cup/glass/bottle`` / ``medicine``: a white bottle, 0.11 s vs 0.07 s;
- ``book`` / ``paper/notebook``: a blue bordered rectangle;
- ``box`` / ``groceries`` / ``bag``: a brown box;
- ``table`` / ``shelf`` / ``bed``: a wide brown striped slab;
- ``door`` / ``closet/cabinet`` / ``refrigerator``: a tall white panel;
- ``television`` / ``laptop`` / ``picture`` / ``mirror``: a dark bordered
  rectangle, from 0.3 s to 0.45 s wide;
- ``sofa/couch`` / ``chair``: a navy seat;
- ``towel`` / ``blanket`` / ``clothes``: a pink checked cloth;
- ``dish`` / ``food``: a white round plate-like disc.

A track draws one of its class's looks (uniformly) and jitters its colour
by up to +-18 per channel, so no class is one colour
(:func:`sample_look`).
"""
from typing import Dict, List

import numpy as np

from vost.structures.ag_meta import OBJECT_NAME_TO_ID, normalize_name
from ..looks import COLOURS, Look

__all__ = ['SHARED_LOOKS', 'VIDEO_LOOKS', 'sample_look', 'look_colour']

#: Looks shared by several classes: name -> ((shape, colour, texture),
#: {class: (w, h)}).
SHARED_LOOKS = {
    'bottle': (('ellipse', 'white', 'solid'), {
        'cup/glass/bottle': (0.11, 0.17),
        'medicine': (0.07, 0.09)}),
    'booklet': (('rect', 'blue', 'border'), {
        'book': (0.17, 0.21),
        'paper/notebook': (0.15, 0.19)}),
    'carton': (('rect', 'brown', 'solid'), {
        'box': (0.26, 0.24),
        'groceries': (0.26, 0.27),
        'bag': (0.22, 0.24)}),
    'slab': (('rect', 'brown', 'hstripe'), {
        'table': (0.7, 0.3),
        'shelf': (0.5, 0.3),
        'bed': (1.0, 0.26)}),
    'panel': (('rect', 'white', 'vstripe'), {
        'door': (0.45, 1.0),
        'closet/cabinet': (0.6, 0.95),
        'refrigerator': (0.5, 1.0)}),
    'screen': (('rect', 'black', 'border'), {
        'television': (0.45, 0.32),
        'laptop': (0.3, 0.2),
        'picture': (0.28, 0.22),
        'mirror': (0.3, 0.42)}),
    'seat': (('trapezoid', 'navy', 'solid'), {
        'sofa/couch': (0.9, 0.4),
        'chair': (0.34, 0.34)}),
    'cloth': (('rect', 'pink', 'checker'), {
        'towel': (0.2, 0.3),
        'blanket': (0.55, 0.32),
        'clothes': (0.3, 0.3)}),
    'disc': (('ellipse', 'white', 'border'), {
        'dish': (0.24, 0.13),
        'food': (0.16, 0.13)}),
}

#: Looks of each class's own (besides the shared ones).
_OWN = {
    'bag': [('trapezoid', 'olive', 'dots', (0.22, 0.24))],
    'bed': [('rect', 'white', 'hstripe', (1.0, 0.26))],
    'blanket': [('rect', 'magenta', 'dots', (0.55, 0.32))],
    'book': [('rect', 'red', 'border', (0.17, 0.21)),
             ('rect', 'green', 'hstripe', (0.16, 0.2))],
    'box': [('rect', 'orange', 'solid', (0.26, 0.24))],
    'broom': [('rect', 'yellow', 'vstripe', (0.13, 0.55)),
              ('rect', 'brown', 'solid', (0.1, 0.55))],
    'chair': [('trapezoid', 'green', 'hstripe', (0.34, 0.34)),
              ('rect', 'brown', 'vstripe', (0.3, 0.36))],
    'closet/cabinet': [('rect', 'purple', 'vstripe', (0.6, 0.95))],
    'clothes': [('trapezoid', 'magenta', 'dots', (0.3, 0.3)),
                ('trapezoid', 'blue', 'solid', (0.3, 0.3))],
    'cup/glass/bottle': [('ellipse', 'cyan', 'solid', (0.12, 0.18)),
                         ('rect', 'red', 'solid', (0.1, 0.15))],
    'dish': [('ellipse', 'yellow', 'solid', (0.24, 0.13))],
    'door': [('rect', 'brown', 'border', (0.45, 1.0))],
    'doorknob': [('ellipse', 'yellow', 'solid', (0.06, 0.06)),
                 ('ellipse', 'grey', 'solid', (0.06, 0.06))],
    'doorway': [('frame', 'grey', 'solid', (0.7, 1.3)),
                ('frame', 'brown', 'solid', (0.7, 1.3))],
    'floor': [('rect', 'olive', 'checker', (1.4, 0.14)),
              ('rect', 'grey', 'hstripe', (1.4, 0.14))],
    'food': [('hexagon', 'orange', 'dots', (0.16, 0.14)),
             ('ellipse', 'green', 'dots', (0.15, 0.13))],
    'groceries': [('trapezoid', 'olive', 'dots', (0.26, 0.26))],
    'laptop': [('rect', 'grey', 'border', (0.3, 0.2))],
    'light': [('triangle', 'yellow', 'solid', (0.16, 0.14)),
              ('ellipse', 'white', 'solid', (0.14, 0.14))],
    'medicine': [('cross', 'red', 'solid', (0.08, 0.08)),
                 ('rect', 'orange', 'solid', (0.06, 0.09))],
    'mirror': [('ellipse', 'grey', 'border', (0.3, 0.42))],
    'paper/notebook': [('hexagon', 'white', 'hstripe', (0.18, 0.22)),
                       ('rect', 'white', 'hstripe', (0.16, 0.21))],
    'phone/camera': [('rect', 'navy', 'solid', (0.11, 0.16)),
                     ('rect', 'black', 'solid', (0.1, 0.15)),
                     ('rect', 'grey', 'border', (0.14, 0.11))],
    'picture': [('rect', 'red', 'border', (0.28, 0.22))],
    'pillow': [('ellipse', 'pink', 'solid', (0.3, 0.18)),
               ('rect', 'white', 'dots', (0.3, 0.18))],
    'refrigerator': [('rect', 'cyan', 'vstripe', (0.5, 1.0))],
    'sandwich': [('triangle', 'orange', 'hstripe', (0.16, 0.14)),
                 ('rect', 'yellow', 'hstripe', (0.16, 0.11))],
    'shelf': [('trapezoid', 'purple', 'hstripe', (0.5, 0.3))],
    'shoe': [('triangle', 'black', 'solid', (0.16, 0.12)),
             ('triangle', 'white', 'solid', (0.16, 0.12))],
    'sofa/couch': [('trapezoid', 'red', 'solid', (0.9, 0.4))],
    'table': [('rect', 'green', 'solid', (0.7, 0.3))],
    'television': [('hexagon', 'black', 'border', (0.45, 0.32))],
    'towel': [('rect', 'magenta', 'vstripe', (0.2, 0.3))],
    'vacuum': [('ellipse', 'red', 'dots', (0.2, 0.3)),
               ('trapezoid', 'grey', 'solid', (0.2, 0.3))],
    'window': [('frame', 'cyan', 'solid', (0.4, 0.4)),
               ('frame', 'white', 'solid', (0.4, 0.4))],
}


def _build() -> Dict[int, List[Look]]:
    looks = {OBJECT_NAME_TO_ID[normalize_name(n)]: [Look(*v) for v in own]
             for n, own in _OWN.items()}
    for (shape, colour, texture), sizes in SHARED_LOOKS.values():
        for name, size in sizes.items():
            looks[OBJECT_NAME_TO_ID[normalize_name(name)]].append(
                Look(shape, colour, texture, size))
    return looks


#: AG object id -> its looks.
VIDEO_LOOKS: Dict[int, List[Look]] = _build()


def sample_look(rng: np.random.Generator, label: int) -> dict:
    """Draw a track's look and its colour jitter.

    Args:
        rng (np.random.Generator): The person's generator.
        label (int): AG object id.

    Returns:
        dict: ``look`` (:class:`Look`) and ``jitter`` ((3,) int BGR offset).
    """
    options = VIDEO_LOOKS[label]
    look = options[int(rng.integers(0, len(options)))]
    return dict(look=look, jitter=rng.integers(-18, 19, 3))


def look_colour(look: Look, jitter) -> tuple:
    """BGR colour of a look with a track's jitter."""
    base = np.asarray(COLOURS[look.colour], int) + np.asarray(jitter, int)
    return tuple(int(c) for c in np.clip(base, 0, 255))
