"""How each synthetic object class looks, and how it is drawn.

Every one of the 35 Action Genome object classes has a unique
(shape, colour) pair, plus a texture and a typical size relative to the
person's standing height ``s``. Shapes: ``rect``, ``ellipse``,
``triangle``, ``diamond``, ``hexagon``, ``trapezoid``, ``cross`` and
``frame`` (a hollow rectangle). Textures: ``solid``, ``hstripe``,
``vstripe``, ``checker``, ``dots``, ``border``.
"""
import math
from typing import Dict, NamedTuple, Optional, Tuple

import cv2
import numpy as np

from vost.structures.ag_meta import OBJECT_NAME_TO_ID, normalize_name

__all__ = ['Look', 'LOOKS', 'COLOURS', 'draw_object', 'object_polygon']

#: BGR colours.
COLOURS: Dict[str, Tuple[int, int, int]] = dict(
    red=(40, 40, 220),
    green=(60, 170, 60),
    blue=(210, 90, 30),
    yellow=(40, 215, 235),
    magenta=(200, 60, 200),
    cyan=(215, 210, 60),
    orange=(30, 130, 250),
    purple=(140, 30, 110),
    brown=(35, 75, 125),
    white=(240, 240, 240),
    black=(25, 25, 25),
    grey=(150, 150, 150),
    pink=(185, 160, 255),
    olive=(30, 120, 110),
    navy=(100, 25, 20),
)


class Look(NamedTuple):
    """The drawing recipe of one class."""
    shape: str
    colour: str
    texture: str
    size: Tuple[float, float]  # (w, h) as a fraction of standing height


_TABLE = {
    'bag': ('trapezoid', 'brown', 'solid', (0.22, 0.24)),
    'bed': ('rect', 'white', 'hstripe', (1.0, 0.26)),
    'blanket': ('rect', 'pink', 'checker', (0.55, 0.32)),
    'book': ('rect', 'blue', 'border', (0.17, 0.21)),
    'box': ('rect', 'orange', 'solid', (0.26, 0.24)),
    'broom': ('rect', 'yellow', 'vstripe', (0.13, 0.55)),
    'chair': ('trapezoid', 'green', 'hstripe', (0.34, 0.34)),
    'closet/cabinet': ('rect', 'purple', 'vstripe', (0.6, 0.95)),
    'clothes': ('trapezoid', 'magenta', 'dots', (0.3, 0.3)),
    'cup/glass/bottle': ('ellipse', 'cyan', 'solid', (0.12, 0.18)),
    'dish': ('ellipse', 'white', 'border', (0.24, 0.13)),
    'door': ('rect', 'brown', 'border', (0.45, 1.0)),
    'doorknob': ('ellipse', 'yellow', 'solid', (0.06, 0.06)),
    'doorway': ('frame', 'grey', 'solid', (0.7, 1.3)),
    'floor': ('rect', 'olive', 'checker', (1.4, 0.14)),
    'food': ('hexagon', 'orange', 'dots', (0.16, 0.14)),
    'groceries': ('trapezoid', 'olive', 'dots', (0.26, 0.26)),
    'laptop': ('rect', 'black', 'border', (0.3, 0.2)),
    'light': ('triangle', 'yellow', 'solid', (0.16, 0.14)),
    'medicine': ('cross', 'red', 'solid', (0.08, 0.08)),
    'mirror': ('ellipse', 'grey', 'border', (0.3, 0.42)),
    'paper/notebook': ('hexagon', 'white', 'hstripe', (0.18, 0.22)),
    'phone/camera': ('rect', 'navy', 'solid', (0.11, 0.16)),
    'picture': ('rect', 'red', 'border', (0.28, 0.22)),
    'pillow': ('ellipse', 'pink', 'solid', (0.3, 0.18)),
    'refrigerator': ('rect', 'cyan', 'vstripe', (0.5, 1.0)),
    'sandwich': ('triangle', 'orange', 'hstripe', (0.16, 0.14)),
    'shelf': ('trapezoid', 'purple', 'hstripe', (0.5, 0.3)),
    'shoe': ('triangle', 'black', 'solid', (0.16, 0.12)),
    'sofa/couch': ('trapezoid', 'navy', 'solid', (0.9, 0.4)),
    'table': ('rect', 'green', 'solid', (0.7, 0.3)),
    'television': ('hexagon', 'black', 'border', (0.45, 0.32)),
    'towel': ('rect', 'magenta', 'vstripe', (0.2, 0.3)),
    'vacuum': ('ellipse', 'red', 'dots', (0.2, 0.3)),
    'window': ('frame', 'cyan', 'solid', (0.4, 0.4)),
}

#: AG object id -> :class:`Look`.
LOOKS: Dict[int, Look] = {
    OBJECT_NAME_TO_ID[normalize_name(name)]: Look(*v)
    for name, v in _TABLE.items()
}
assert len({(lk.shape, lk.colour) for lk in LOOKS.values()}) == len(LOOKS)


def _unit_polygons() -> Dict[str, np.ndarray]:
    ell = cv2.ellipse2Poly((0, 0), (1000, 1000), 0, 0, 360, 20) / 1000.
    hexa = np.array([[math.cos(a), math.sin(a)]
                     for a in np.linspace(0, 2 * math.pi, 7)[:-1]])
    t = 0.35
    return dict(
        rect=np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], float),
        frame=np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], float),
        ellipse=ell.astype(float),
        triangle=np.array([[0, -1], [1, 1], [-1, 1]], float),
        diamond=np.array([[0, -1], [1, 0], [0, 1], [-1, 0]], float),
        hexagon=hexa,
        trapezoid=np.array([[-0.6, -1], [0.6, -1], [1, 1], [-1, 1]], float),
        cross=np.array([[-t, -1], [t, -1], [t, -t], [1, -t], [1, t], [t, t],
                        [t, 1], [-t, 1], [-t, t], [-1, t], [-1, -t],
                        [-t, -t]], float))


_POLYS = _unit_polygons()


def object_polygon(shape: str, centre, size, angle: float = 0.) -> np.ndarray:
    """The drawn outline of an object.

    Args:
        shape (str): Shape name.
        centre (tuple): (x, y) centre in pixels.
        size (tuple): (w, h) of the unrotated shape in pixels.
        angle (float): Rotation in radians. Defaults to 0.

    Returns:
        np.ndarray: (K, 2) float polygon.
    """
    pts = _POLYS[shape] * (np.asarray(size, float) / 2)
    if angle:
        c, s = math.cos(angle), math.sin(angle)
        pts = pts @ np.array([[c, s], [-s, c]])
    return pts + np.asarray(centre, float)


def draw_object(img: np.ndarray, label: int, centre, size,
                angle: float = 0., look: Optional[Look] = None,
                colour: Optional[Tuple[int, int, int]] = None) -> np.ndarray:
    """Draw one object and return its tight box.

    Args:
        img (np.ndarray): (H, W, 3) uint8 BGR image (or an (H, W) mask, with
            ``colour`` its value), drawn in place.
        label (int): AG object id.
        centre (tuple): (x, y) centre.
        size (tuple): (w, h) unrotated size in pixels.
        angle (float): Rotation in radians (a twisted object).
        look (Look, optional): The look to draw; defaults to the class's
            own (``LOOKS[label]``).
        colour (tuple, optional): The colour; defaults to the look's.

    Returns:
        np.ndarray: (4,) XYXY box of the drawn polygon (not clipped).
    """
    look = LOOKS[label] if look is None else look
    colour = COLOURS[look.colour] if colour is None else colour
    poly = object_polygon(look.shape, centre, size, angle)
    ipoly = np.round(poly).astype(np.int32)
    w, h = size
    if look.shape == 'frame':
        thick = max(3, int(round(0.12 * min(w, h))))
        cv2.polylines(img, [ipoly], True, colour, thick)
        cv2.line(img, tuple(ipoly[0]), tuple(ipoly[1]), colour, thick + 2)
    else:
        cv2.fillPoly(img, [ipoly], colour)
        if img.ndim == 3:
            _texture(img, look.texture, colour, centre, size, angle)
    x1, y1 = poly.min(0)
    x2, y2 = poly.max(0)
    return np.array([x1, y1, x2, y2], np.float32)


def _texture(img, texture, colour, centre, size, angle):
    if texture == 'solid' or angle:
        return
    dark = tuple(int(c * 0.45) for c in colour)
    cx, cy = centre
    w, h = size[0] * 0.55, size[1] * 0.55
    x1, y1, x2, y2 = (int(round(v)) for v in (cx - w / 2, cy - h / 2,
                                              cx + w / 2, cy + h / 2))
    step = max(3, int(round(min(w, h) / 3)))
    if texture == 'hstripe':
        for y in range(y1, y2 + 1, step):
            cv2.line(img, (x1, y), (x2, y), dark, 1)
    elif texture == 'vstripe':
        for x in range(x1, x2 + 1, step):
            cv2.line(img, (x, y1), (x, y2), dark, 1)
    elif texture == 'checker':
        for i, y in enumerate(range(y1, y2, step)):
            for x in range(x1 + (i % 2) * step, x2, 2 * step):
                cv2.rectangle(img, (x, y), (min(x + step, x2),
                                            min(y + step, y2)), dark, -1)
    elif texture == 'dots':
        for y in range(y1 + step // 2, y2, step):
            for x in range(x1 + step // 2, x2, step):
                cv2.circle(img, (x, y), max(1, step // 4), dark, -1)
    elif texture == 'border':
        cv2.rectangle(img, (x1, y1), (x2, y2), dark, 2)
    else:
        raise ValueError(f'unknown texture {texture!r}')
