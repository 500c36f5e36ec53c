"""The synthetic person: skeleton, contact points, drawing and box.

A person of standing height ``s`` px is a stick figure: a head disc with
eyes on the facing side (or only hair when the face is hidden), a torso
quadrilateral, two arms and two legs (thick lines), and two hand markers
whose drawing shows the hand's gesture (see :data:`GESTURES`). Four poses:
``stand``, ``sit`` (thighs horizontal), ``lie`` (the body rotated to
horizontal) and ``lean`` (upper body tilted 20 degrees towards the facing
side).

Named points used by the predicate rules (:mod:`.rules`): ``mouth``,
``seat`` (the hip centre), ``knees``, ``feet``, ``back`` (just behind the
shoulders, opposite the facing side), ``lean`` (the front shoulder) and
``torso`` (the torso centre).
"""
import math
from typing import Dict, List, Tuple

import cv2
import numpy as np

__all__ = ['Body', 'GESTURES', 'POSES', 'make_body', 'draw_body',
           'draw_hand_markers', 'draw_face']

POSES = ('stand', 'sit', 'lie', 'lean')
#: Hand gestures, each drawn differently: ``rest`` (no marker: the arm just
#: ends), ``open`` (white hollow square), ``grip`` (skin disc with a dark
#: rim), ``turn`` (orange ring with a cross), ``rub`` (red diamond with a
#: white zig-zag), ``write`` (skin disc with a long dark pen).
GESTURES = ('rest', 'open', 'grip', 'turn', 'rub', 'write')

SKIN = (140, 180, 230)
HAIR = (30, 40, 60)
EYE = (20, 20, 20)
GAZE = (0, 230, 255)
#: BGR colour of each hand marker (shape and colour both tell the gesture,
#: so that it stays readable at 128 px).
MARKER_COLOURS = dict(
    open=(245, 245, 245),
    grip=SKIN,
    turn=(0, 150, 255),
    rub=(60, 20, 230),  # red: contrasts with every wiped object
    write=SKIN)


class Body:
    """Geometry of one person in one frame (pixel coordinates).

    Attributes:
        pose (str): One of :data:`POSES`.
        facing (int): +1 faces right, -1 faces left.
        scale (float): Standing height ``s`` in pixels.
        points (dict[str, np.ndarray]): Named (2,) points: ``head``,
            ``neck``, ``seat``, ``shoulder_l/r``, ``hand_l/r``, ``knee_l/r``,
            ``foot_l/r``, ``mouth``, ``eye``, ``back``, ``lean``, ``torso``.
        gestures (list[str]): Gesture of the left and right hand.
    """

    def __init__(self, pose: str, facing: int, scale: float,
                 points: Dict[str, np.ndarray]):
        self.pose = pose
        self.facing = facing
        self.scale = scale
        self.points = points
        self.gestures = ['rest', 'rest']

    @property
    def head_radius(self) -> float:
        """float: Radius of the head disc."""
        return 0.09 * self.scale

    @property
    def limb_width(self) -> int:
        """int: Thickness of arms and legs in pixels."""
        return max(2, int(round(0.045 * self.scale)))

    @property
    def marker_radius(self) -> int:
        """int: Half-size of a hand marker in pixels."""
        return max(3, int(round(0.06 * self.scale)))

    @property
    def hands(self) -> List[np.ndarray]:
        """list[np.ndarray]: Left and right hand points."""
        return [self.points['hand_l'], self.points['hand_r']]

    def torso_polygon(self) -> np.ndarray:
        """np.ndarray: (4, 2) torso corners (shoulders then hips)."""
        p = self.points
        half = 0.1 * self.scale
        axis = p['neck'] - p['seat']
        axis = axis / (np.linalg.norm(axis) + 1e-6)
        side = np.array([-axis[1], axis[0]]) * half
        return np.stack(
            [p['neck'] + side, p['neck'] - side, p['seat'] - side,
             p['seat'] + side])

    def extent(self) -> Tuple[float, float, float, float]:
        """Tight XYXY box of everything drawn, not clipped.

        Returns:
            tuple[float, float, float, float]: x1, y1, x2, y2.
        """
        p = self.points
        r, lw = self.head_radius, self.limb_width / 2 + 1
        pts = [self.torso_polygon()]
        pts.append(np.array([[p['head'][0] - r, p['head'][1] - r],
                             [p['head'][0] + r, p['head'][1] + r]]))
        for name in ('foot_l', 'foot_r', 'knee_l', 'knee_r', 'shoulder_l',
                     'shoulder_r'):
            pts.append(np.array([p[name] - lw - 2, p[name] + lw + 2]))
        for hand, gesture in zip(self.hands, self.gestures):
            m = lw + 2 if gesture == 'rest' else self.marker_radius + 2
            pts.append(np.array([hand - m, hand + m]))
        pts = np.concatenate(pts)
        x1, y1 = pts.min(0)
        x2, y2 = pts.max(0)
        return x1, y1, x2, y2

    def box(self, width: int, height: int) -> np.ndarray:
        """Tight XYXY box of everything drawn, clipped to the image.

        Args:
            width (int): Image width.
            height (int): Image height.

        Returns:
            np.ndarray: (4,) float32 XYXY.
        """
        x1, y1, x2, y2 = self.extent()
        return np.array([
            max(0., x1), max(0., y1),
            min(float(width), x2), min(float(height), y2)
        ], np.float32)


def _rotate(points: Dict[str, np.ndarray], names, centre: np.ndarray,
            angle: float) -> None:
    c, s = math.cos(angle), math.sin(angle)
    rot = np.array([[c, -s], [s, c]])
    for n in names:
        points[n] = centre + rot @ (points[n] - centre)


_UPPER = ('head', 'neck', 'shoulder_l', 'shoulder_r', 'hand_l', 'hand_r',
          'mouth', 'eye', 'back', 'lean', 'torso')


def make_body(pose: str, facing: int, scale: float, cx: float,
              ground_y: float) -> Body:
    """Build the skeleton of a person.

    Args:
        pose (str): One of :data:`POSES`.
        facing (int): +1 (right) or -1 (left).
        scale (float): Standing height in pixels.
        cx (float): x of the hip centre.
        ground_y (float): y of the feet (stand, sit, lean) or of the
            body's lower side (lie).

    Returns:
        Body: The person; hands rest beside the hips.
    """
    s, f = scale, facing
    r = 0.09 * s
    if pose == 'sit':
        seat = np.array([cx, ground_y - 0.27 * s])
    else:
        seat = np.array([cx, ground_y - 0.48 * s])
    neck = seat - np.array([0., 0.34 * s])
    head = neck - np.array([0., r])
    sh_y = neck[1] + 0.03 * s
    p = dict(head=head, neck=neck, seat=seat)
    p['shoulder_l'] = np.array([cx - 0.1 * s, sh_y])
    p['shoulder_r'] = np.array([cx + 0.1 * s, sh_y])
    p['hand_l'] = np.array([cx - 0.16 * s, seat[1] + 0.02 * s])
    p['hand_r'] = np.array([cx + 0.16 * s, seat[1] + 0.02 * s])
    if pose == 'sit':
        for side, dx in (('l', -0.05), ('r', 0.05)):
            p['knee_' + side] = seat + np.array([f * 0.22 * s + dx * s, 0.])
            p['foot_' + side] = p['knee_' + side] + np.array([0., 0.25 * s])
    else:
        for side, dx in (('l', -0.06), ('r', 0.06)):
            p['knee_' + side] = np.array([cx + dx * s, ground_y - 0.25 * s])
            p['foot_' + side] = np.array(
                [cx + dx * 1.2 * s, ground_y - 0.01 * s])
    p['mouth'] = head + np.array([f * 0.5 * r, 0.45 * r])
    p['eye'] = head + np.array([f * 0.45 * r, -0.15 * r])
    p['back'] = np.array([cx - f * 0.16 * s, sh_y + 0.08 * s])
    p['lean'] = np.array([cx + f * 0.1 * s, sh_y])
    p['torso'] = (neck + seat) / 2
    if pose == 'lean':
        _rotate(p, _UPPER, seat, f * math.radians(20))
    elif pose == 'lie':
        # Lying on the back, head towards -facing, body at ground_y.
        _rotate(p, list(p), seat, -f * math.pi / 2)
        offset = ground_y - 0.06 * s - max(p['seat'][1], p['knee_l'][1])
        for k in p:
            p[k] = p[k] + np.array([0., offset])
        p['eye'] = p['head'] + np.array([0., -0.5 * r])
        p['mouth'] = p['head'] + np.array([f * 0.3 * r, -0.6 * r])
    return Body(pose, facing, scale, p)


def _pt(v) -> Tuple[int, int]:
    return int(round(v[0])), int(round(v[1]))


def draw_body(img: np.ndarray, body: Body, shirt, trousers,
              mask: np.ndarray) -> None:
    """Draw torso, limbs and head (no face, no hand markers).

    The same shapes are drawn with value 1 into ``mask``, the body mask used
    by the depth rules.

    Args:
        img (np.ndarray): (H, W, 3) uint8 BGR image, drawn in place.
        body (Body): The person.
        shirt (tuple): BGR colour of torso and arms.
        trousers (tuple): BGR colour of the legs.
        mask (np.ndarray): (H, W) uint8 body mask, drawn in place.
    """
    p, lw = body.points, body.limb_width
    torso = np.round(body.torso_polygon()).astype(np.int32)
    for target, c_shirt, c_legs, c_skin in ((img, shirt, trousers, SKIN),
                                            (mask, 1, 1, 1)):
        for side in ('l', 'r'):
            cv2.line(target, _pt(p['seat']), _pt(p['knee_' + side]), c_legs,
                     lw + 1)
            cv2.line(target, _pt(p['knee_' + side]), _pt(p['foot_' + side]),
                     c_legs, lw)
        cv2.fillConvexPoly(target, torso, c_shirt)
        for side in ('l', 'r'):
            cv2.line(target, _pt(p['shoulder_' + side]),
                     _pt(p['hand_' + side]), c_shirt, lw)
        cv2.circle(target, _pt(p['head']), int(round(body.head_radius)),
                   c_skin, -1)


def draw_face(img: np.ndarray, body: Body, face_visible: bool) -> None:
    """Draw the hair and, if the face is visible, the eye and mouth.

    A hidden face (the person turned away) is a disc of hair.

    Args:
        img (np.ndarray): (H, W, 3) uint8 image, drawn in place.
        body (Body): The person.
        face_visible (bool): Whether to draw eye and mouth.
    """
    p, r = body.points, body.head_radius
    head = _pt(p['head'])
    if not face_visible:
        cv2.circle(img, head, int(round(r)), HAIR, -1)
        return
    # Hair on the back half of the head.
    back = p['head'] - (p['eye'] - p['head']) * 0.6
    cv2.circle(img, _pt(back), int(round(0.75 * r)), HAIR, -1)
    cv2.circle(img, head, int(round(r)), HAIR, 1)
    cv2.circle(img, _pt(p['eye']), max(1, int(round(0.22 * r))), EYE, -1)
    cv2.circle(img, _pt(p['mouth']), max(1, int(round(0.15 * r))),
               (40, 40, 160), -1)


def draw_hand_markers(img: np.ndarray, body: Body) -> None:
    """Draw each hand's gesture marker (on top of everything).

    Args:
        img (np.ndarray): (H, W, 3) uint8 image, drawn in place.
        body (Body): The person with its ``gestures``.
    """
    rad = body.marker_radius
    lw = max(2, rad // 3)
    for hand, gesture in zip(body.hands, body.gestures):
        c = _pt(hand)
        if gesture == 'rest':
            continue
        colour = MARKER_COLOURS[gesture]
        if gesture == 'open':
            cv2.rectangle(img, (c[0] - rad, c[1] - rad),
                          (c[0] + rad, c[1] + rad), colour, lw)
        elif gesture == 'grip':
            cv2.circle(img, c, rad, colour, -1)
            cv2.circle(img, c, rad, (20, 20, 20), 1)
        elif gesture == 'turn':
            cv2.circle(img, c, rad, colour, lw)
            cv2.line(img, (c[0] - rad, c[1]), (c[0] + rad, c[1]), colour, lw)
            cv2.line(img, (c[0], c[1] - rad), (c[0], c[1] + rad), colour, lw)
        elif gesture == 'rub':
            diamond = np.array([[c[0], c[1] - rad], [c[0] + rad, c[1]],
                                [c[0], c[1] + rad], [c[0] - rad, c[1]]],
                               np.int32)
            cv2.fillConvexPoly(img, diamond, colour)
            zig = np.array([[c[0] - rad + i * rad // 2,
                             c[1] + (rad if i % 2 else -rad)]
                            for i in range(5)], np.int32)
            cv2.polylines(img, [zig], False, (255, 255, 255), 1)
        elif gesture == 'write':
            cv2.circle(img, c, max(2, rad - 1), colour, -1)
            cv2.line(img, c, (c[0] + 2 * rad, c[1] - 2 * rad), (10, 10, 10),
                     lw)
        else:
            raise ValueError(f'unknown gesture {gesture!r}')
