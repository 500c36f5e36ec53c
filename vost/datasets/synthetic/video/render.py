"""Drawing and records of the video world
(``docs/synthetic_action_genome.md``).

On top of the people of :mod:`.scene` and their motion (:mod:`.motion`):

- **Frame sizes** vary per video (:data:`SIZES`: landscape 16:9 and 4:3,
  some portrait), unless a size is given.
- **Occluder**: in :data:`OCCLUDER_PROB` of the videos a foreground panel
  (a pillar or a plant, no AG class, not annotated) slides across the
  person, drawn over everything (hands and gaze arrows included).
- **Motion blur**: :data:`BLUR_PROB` of the frames are blurred along a
  random direction (camera shake, 3-6 px at 256 px).
- **Boxes and visibility as AG annotates them**: a box is the tight box of
  the object's *visible* pixels inside the frame (occluded and cut parts
  excluded); an object with less than :data:`MIN_VISIBLE` of its in-frame
  pixels visible (or none in the frame) is written ``visible=False`` with
  box and relations None. The labels are computed from the full drawn
  geometry (the relation goes on behind an occluder).
- **Window rules**: ``drinking_from`` / ``eating`` hold at key frame ``t``
  when a gripping hand holds the cup / food at ``t`` and the mouth lies in
  the object's box in a frame of ``t-1..t+1`` (the hand-to-mouth path);
  wiping, twisting and writing are told apart from holding and touching
  only by the motion (:mod:`.motion`).
"""
import math
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np

from vost.structures.ag_meta import CONTACTING_PREDICATES
from ..generator import SimplePainter, _clip_box, frame_records
from ..looks import draw_object, object_polygon
from ..rules import CUPS, FOODS, topmost_under
from .looks import look_colour
from .motion import draw_video_hands

__all__ = [
    'SIZES', 'OCCLUDER_PROB', 'BLUR_PROB', 'MIN_VISIBLE', 'WINDOW',
    'VideoPainter', 'sample_size', 'sample_effects', 'occluder_covers',
    'object_boxes', 'video_records'
]

#: (W, H) of a video and its probability.
SIZES = (((480, 270), .35), ((384, 216), .25), ((480, 360), .15),
         ((320, 240), .15), ((270, 480), .05), ((240, 320), .05))
OCCLUDER_PROB = 0.35
BLUR_PROB = 0.08
MIN_VISIBLE = 0.1
#: Key frames on each side that the window rules and the ceiling read.
WINDOW = 1
_OCCLUDER, _BODY = 254, 255


def sample_size(rng: np.random.Generator) -> Tuple[int, int]:
    """A video's (W, H) from :data:`SIZES`."""
    p = np.array([w for _, w in SIZES])
    return SIZES[int(rng.choice(len(SIZES), p=p / p.sum()))][0]


def sample_effects(rng: np.random.Generator, scene, width: int, height: int,
                   num_frames: int) -> dict:
    """The video's occluder (or None) and per-frame blur (or None).

    Args:
        rng (np.random.Generator): The effects' own generator.
        scene (VideoScene): Person 0 (the occluder crosses it).
        width (int): Frame width.
        height (int): Frame height.
        num_frames (int): Key frames.

    Returns:
        dict: ``occluder`` (dict or None) and ``blur`` (list of None or
        (length, angle)).
    """
    s = scene.scale
    occ = None
    if rng.random() < OCCLUDER_PROB:
        v = float(rng.choice([-1, 1])) * rng.uniform(0.06, 0.15) * s
        t0 = rng.uniform(0, max(num_frames - 1, 1))
        occ = dict(
            x0=scene.cx - v * t0, v=v, w=rng.uniform(0.15, 0.3) * s,
            top=scene.ground - rng.uniform(0.6, 1.1) * s,
            colour=tuple(int(c) for c in rng.integers(40, 110, 3)))
    blur = [(rng.uniform(3, 6) * width / 256, rng.uniform(0, math.pi))
            if rng.random() < BLUR_PROB else None for _ in range(num_frames)]
    return dict(occluder=occ, blur=blur)


def occluder_covers(effects: dict, point, t: int) -> bool:
    """Whether the occluder of key frame ``t`` covers ``point``."""
    occ = effects['occluder']
    if occ is None:
        return False
    x = occ['x0'] + occ['v'] * t
    return abs(point[0] - x) <= occ['w'] / 2 and point[1] >= occ['top']


class VideoPainter(SimplePainter):
    """Draws the video world's looks, hands, occluder and blur, and keeps
    the index map of what is on top at each pixel (object ``g`` as
    ``g + 1``, bodies 255, the occluder 254)."""

    def __init__(self, width: int, height: int, effects: dict):
        self.size = (width, height)
        self.effects = effects
        self.index = np.zeros((height, width), np.uint8)
        self.full: Dict[int, int] = {}

    def object(self, img, g, track, place):
        colour = look_colour(track.look, track.jitter)
        box = draw_object(img, track.label, look=track.look, colour=colour,
                          **place)
        draw_object(self.index, track.label, look=track.look, colour=g + 1,
                    **place)
        x1, y1, x2, y2 = _int_box(box, *self.size)
        count = 0
        if x2 > x1 and y2 > y1:
            scratch = np.zeros((y2 - y1, x2 - x1), np.uint8)
            draw_object(scratch, track.label, np.asarray(place['centre']) -
                        (x1, y1), place['size'], place['angle'],
                        look=track.look, colour=1)
            count = int(scratch.sum())
        self.full[g] = count
        return box

    def bodies(self, masks):
        for m in masks:
            self.index[m > 0] = _BODY

    def hands(self, img, body):
        draw_video_hands(img, body)

    def overlay(self, img, t):
        occ = self.effects['occluder']
        if occ is not None:
            x = occ['x0'] + occ['v'] * t
            x1, x2 = int(round(x - occ['w'] / 2)), int(round(x + occ['w'] / 2))
            y1 = int(round(occ['top']))
            cv2.rectangle(img, (x1, y1), (x2, self.size[1]), occ['colour'],
                          -1)
            dark = tuple(int(c * 0.6) for c in occ['colour'])
            for xs in range(x1 + 2, x2, 5):
                cv2.line(img, (xs, y1), (xs, self.size[1]), dark, 1)
            cv2.rectangle(self.index, (x1, y1), (x2, self.size[1]),
                          _OCCLUDER, -1)
        blur = self.effects['blur'][t]
        if blur is not None:
            length, angle = blur
            k = max(3, int(round(length)) | 1)
            kernel = np.zeros((k, k), np.float32)
            c = k // 2
            dx, dy = math.cos(angle) * c, math.sin(angle) * c
            cv2.line(kernel, (int(round(c - dx)), int(round(c - dy))),
                     (int(round(c + dx)), int(round(c + dy))), 1., 1)
            img[:] = cv2.filter2D(img, -1, kernel / kernel.sum())

    def visible_box(self, g: int, box) -> Tuple[int, Optional[list]]:
        """Visible pixels of object ``g`` and their tight XYXY box."""
        x1, y1, x2, y2 = _int_box(box, *self.size)
        if x2 <= x1 or y2 <= y1:
            return 0, None
        ys, xs = np.nonzero(self.index[y1:y2, x1:x2] == g + 1)
        if not len(xs):
            return 0, None
        return len(xs), [float(x1 + xs.min()), float(y1 + ys.min()),
                         float(x1 + xs.max() + 1), float(y1 + ys.max() + 1)]


def _int_box(box, width, height):
    x1, y1 = max(0, int(math.floor(box[0]))), max(0, int(math.floor(box[1])))
    x2 = min(width, int(math.floor(box[2])) + 1)  # cv2 fills both ends
    y2 = min(height, int(math.floor(box[3])) + 1)
    return x1, y1, x2, y2


def object_boxes(scenes, poses) -> List[Optional[np.ndarray]]:
    """Full (unclipped) XYXY box of every object of a frame, owner-major.

    Args:
        scenes (list[VideoScene]): The people.
        poses (list): ``(body, placements)`` per person.

    Returns:
        list: (4,) box or None (hidden) per object.
    """
    out = []
    for sc, (_, places) in zip(scenes, poses):
        for tr, pl in zip(sc.tracks, places):
            if pl is None:
                out.append(None)
                continue
            poly = object_polygon(tr.look.shape, pl['centre'], pl['size'],
                                  pl['angle'])
            out.append(np.concatenate([poly.min(0), poly.max(0)]))
    return out


def _inside(p, box) -> bool:
    return box is not None and box[0] <= p[0] <= box[2] and \
        box[1] <= p[1] <= box[3]


def video_records(scenes, frame, masks, size, new_entry, multi, painter,
                  t, poses_all, boxes_all, tags):
    """The records of one video-world frame (see the module docstring).

    Args:
        scenes (list[VideoScene]): The people.
        frame (dict): :func:`draw_frame`'s result.
        masks (list[np.ndarray]): Body masks.
        size (tuple[int, int]): (W, H).
        new_entry (Callable): Makes an invisible record.
        multi (bool): Write ``'subject'``.
        painter (VideoPainter): The frame's painter (index map).
        t (int): Key frame index.
        poses_all (list): Poses of every key frame of the video.
        boxes_all (list): :func:`object_boxes` of every key frame.
        tags (dict): Filled with ``occluded``, ``border_cut`` (bool) and
            ``labels``: per label of a visible record, (predicate,
            decidable from the key frame, decidable from the window
            ``t-1..t+1``). A motion gesture needs the hand on the object in
            two frames of the window; a hand-based contact, a visible hand;
            drinking / eating, the mouth in the box; gaze, a visible head;
            every other label is decidable from the key frame.

    Returns:
        list[dict]: The AG object records.
    """
    width, height = size
    window = range(max(0, t - WINDOW), min(len(poses_all), t + WINDOW + 1))
    clipped = [None if b is None else _clip_box(b, width, height)
               for b in frame['boxes']]
    tags.update(occluded=False, border_cut=False, labels=[])
    tracks = [scenes[o].tracks[i] for o, i in frame['objects']]

    # the window's clipped boxes, once per frame (not per record)
    window_boxes = {tt: [None if b is None else _clip_box(b, width, height)
                         for b in boxes_all[tt]] for tt in window}

    def hand_on(k, g, tt):
        """Visible hands of person k on object g in frame tt (in window)."""
        body = poses_all[tt][k][0]
        boxes = window_boxes[tt]
        return [h for h, gest in zip(body.hands, body.gestures)
                if gest != 'rest' and topmost_under(
                    h, boxes, frame['order']) == g]

    def amend(entry, g, k):
        if not entry['visible']:
            return entry
        pixels, vbox = painter.visible_box(g, frame['boxes'][g])
        full = painter.full.get(g, 0)
        if vbox is None or pixels < max(4, MIN_VISIBLE * full) or \
                vbox[2] - vbox[0] < 2 or vbox[3] - vbox[1] < 2:
            if frame['objects'][g][0] != k:
                return None
            return dict(new_entry(entry['class']), **(
                dict(subject=k) if multi else {}))
        entry['bbox'] = (vbox[0], vbox[1], vbox[2] - vbox[0],
                         vbox[3] - vbox[1])
        label = tracks[g].label
        mouth_in = [_inside(poses_all[tt][k][0].points['mouth'],
                            boxes_all[tt][g]) for tt in window]
        rels = entry['contacting_relationship']
        if 'holding' in rels and any(mouth_in):
            extra = 'drinking_from' if label in CUPS else (
                'eating' if label in FOODS else None)
            if extra and extra not in rels:
                rels.append(extra)
                rels.sort(key=CONTACTING_PREDICATES.index)
        fb, cb = frame['boxes'][g], clipped[g]
        full_area = max((fb[2] - fb[0]) * (fb[3] - fb[1]), 1e-6)
        if (cb[2] - cb[0]) * (cb[3] - cb[1]) / full_area < 0.85:
            tags['border_cut'] = True
        if full and pixels / full < 0.7:
            tags['occluded'] = True
        effects = painter.effects
        head_seen = [not (scenes[k].occluded[tt] or occluder_covers(
            effects, poses_all[tt][k][0].points['head'], tt))
            for tt in window]
        seen = [any(not occluder_covers(effects, h, tt)
                    for h in hand_on(k, g, tt)) for tt in window]
        now = list(window).index(t)
        for name in (entry['attention_relationship'] +
                     entry['spatial_relationship'] + rels):
            if name in ('wiping', 'twisting', 'writing_on'):
                dec = (False, sum(seen) >= 2)
            elif name in ('drinking_from', 'eating'):
                dec = (mouth_in[now], any(mouth_in))
            elif name in ('holding', 'touching', 'carrying'):
                dec = (seen[now], any(seen))
            elif name in ('looking_at', 'not_looking_at'):
                dec = (head_seen[now], any(head_seen))
            else:
                dec = (True, True)
            tags['labels'].append((name, *dec))
        return entry

    return frame_records(scenes, frame, masks, size, new_entry, multi,
                         amend)

