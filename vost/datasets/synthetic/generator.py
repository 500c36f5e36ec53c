"""The simple world: draw and label the frames of one video.

The scene (:mod:`.scene`), the drawing (:mod:`.body`, :mod:`.looks`) and
the predicate rules (:mod:`.rules`) are documented in their modules and in
``docs/synthetic_action_genome.md``. Each video is generated from its own
random generator seeded by ``(seed, video index)``, so the output depends
only on the arguments, not on the number of worker processes.

With ``max_people=K > 1`` a video has 1..K people side by side
(:mod:`.people`); the labels of every (person, object) pair follow from
the drawn geometry with that person as the subject, and each object record
names its person row with ``'subject'`` (:func:`frame_records`).
"""
import os
import os.path as osp
from typing import Callable, List, Optional, Tuple

import cv2
import numpy as np

from vost.structures.ag_meta import (
    ATTENTION_PREDICATES,
    CONTACTING_PREDICATES,
    OBJECT_CLASSES,
    SPATIAL_PREDICATES,
)
from .body import GAZE, draw_body, draw_face, draw_hand_markers
from .looks import draw_object
from .rules import (
    attention_label,
    contacting_labels,
    spatial_labels,
    topmost_under,
)
from .people import sample_people
from .scene import VideoScene, pose_frame

__all__ = [
    'render_video', 'draw_frame', 'frame_records', 'person_entry',
    'SimplePainter'
]


def _background(rng, width, height, ground):
    """A wall with a vertical shading and a darker floor band (no grain,
    which would make PNG encoding slow and the files large)."""
    wall = rng.integers(90, 200, 3).astype(np.float32)
    shade = np.linspace(1.08, 0.92, height, dtype=np.float32)[:, None, None]
    img = np.broadcast_to(wall * shade, (height, width, 3)).copy()
    img[int(ground):] *= 0.7
    return np.clip(img, 0, 255).astype(np.uint8)


def _clip_box(box, width, height):
    x1, y1, x2, y2 = (float(v) for v in box)
    x1, x2 = max(0., x1), min(float(width), x2)
    y1, y2 = max(0., y1), min(float(height), y2)
    return [x1, y1, x2, y2]


class SimplePainter:
    """How the simple world draws an object and the hands; a world with
    other looks passes its own painter to :func:`draw_frame`."""

    def object(self, img, g, track, place) -> np.ndarray:
        """Draw object ``g`` (its track and placement); return its box."""
        return draw_object(img, track.label, **place)

    def bodies(self, masks) -> None:
        """Called once every body is drawn (the body masks are final)."""

    def hands(self, img, body) -> None:
        """Draw a person's hand markers."""
        draw_hand_markers(img, body)

    def overlay(self, img, t) -> None:
        """Called last, after the occlusion discs."""


def draw_frame(img: np.ndarray, scenes: List[VideoScene], t: int,
               masks: List[np.ndarray], thick: int,
               poses: Optional[list] = None,
               painter: Optional[SimplePainter] = None) -> dict:
    """Draw frame ``t`` of all people and their objects.

    Drawing order: every 'behind' object (large first), every body, every
    face, every 'front' object (large first), the gaze arrows, the hand
    markers, the occlusion discs, the painter's overlay.

    Args:
        img (np.ndarray): (H, W, 3) uint8 image (the background), drawn in
            place.
        scenes (list[VideoScene]): The people, in band order.
        t (int): Frame index.
        masks (list[np.ndarray]): One (H, W) uint8 body mask per person,
            drawn in place (cleared first).
        thick (int): Gaze arrow thickness.
        poses (list, optional): ``(body, placements)`` per person; defaults
            to :func:`.scene.pose_frame` of each.
        painter (SimplePainter, optional): Draws objects and hands;
            defaults to the simple world's.

    Returns:
        dict: ``bodies`` (per person), ``objects`` ((owner, track index)
        per object, owner-major), ``boxes`` (drawn XYXY box or None per
        object, not clipped), ``order`` (object drawing order),
        ``gaze_ends`` (per person, None when looking at nothing drawn) and
        ``person_boxes`` (per person, XYXY clipped to the image).
    """
    painter = SimplePainter() if painter is None else painter
    if poses is None:
        poses = [pose_frame(sc, t) for sc in scenes]
    bodies, objects, places = [], [], []
    for k, (sc, (body, pls)) in enumerate(zip(scenes, poses)):
        bodies.append(body)
        objects += [(k, i) for i in range(len(pls))]
        places += pls
    tracks = [scenes[k].tracks[i] for k, i in objects]
    boxes = [None] * len(places)
    # Behind layer, then front layer; large objects first in a layer.
    order = sorted(
        (i for i, pl in enumerate(places) if pl is not None),
        key=lambda i: (tracks[i].layer == 'front',
                       -places[i]['size'][0] * places[i]['size'][1]))
    for i in order:
        if tracks[i].layer == 'behind':
            boxes[i] = painter.object(img, i, tracks[i], places[i])
    for sc, body, mask in zip(scenes, bodies, masks):
        mask[:] = 0
        draw_body(img, body, sc.shirt, sc.trousers, mask)
    painter.bodies(masks)
    for sc, body in zip(scenes, bodies):
        if not sc.occluded[t]:
            draw_face(img, body, sc.face_visible)
    for i in order:
        if tracks[i].layer == 'front':
            boxes[i] = painter.object(img, i, tracks[i], places[i])
    first = [0]
    for sc in scenes:
        first.append(first[-1] + len(sc.tracks))
    gaze_ends = []
    for sc, body in zip(scenes, bodies):
        target = sc.targets[t]
        b = boxes[first[sc.gaze_owner[t]] + target] if target >= 0 else None
        gaze_end = None
        if b is not None:
            gaze_end = np.array([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2])
        if gaze_end is not None and sc.face_visible and not sc.occluded[t]:
            start = tuple(int(v) for v in body.points['eye'])
            cv2.arrowedLine(img, start, tuple(int(v) for v in gaze_end),
                            GAZE, thick, tipLength=0.15)
        gaze_ends.append(gaze_end)
    for body in bodies:
        painter.hands(img, body)
    for sc, body in zip(scenes, bodies):
        if sc.occluded[t]:
            cv2.circle(img, tuple(int(v) for v in body.points['head']),
                       int(body.head_radius * 2.2), (128, 128, 128), -1)
    painter.overlay(img, t)
    height, width = img.shape[:2]
    return dict(bodies=bodies, objects=objects, boxes=boxes, order=order,
                gaze_ends=gaze_ends,
                person_boxes=[b.box(width, height) for b in bodies])


def _entry(video_id, name, number, split):
    return {
        'class': name,
        'bbox': None,
        'attention_relationship': None,
        'spatial_relationship': None,
        'contacting_relationship': None,
        'metadata': {
            'tag': f"{video_id}/{name.replace('/', '_')}/{number:06d}",
            'set': split
        },
        'visible': False
    }


def frame_records(scenes: List[VideoScene], frame: dict,
                  masks: List[np.ndarray], size: Tuple[int, int],
                  new_entry: Callable, multi: bool,
                  amend: Optional[Callable] = None) -> list:
    """The relation records of one drawn frame (labels by :mod:`.rules`).

    Person ``k`` gets one record per own track (invisible ones too), then,
    after all of those, one per visible object of another person that ``k``
    looks at (attention ``looking_at``) or touches (a non-rest hand of
    ``k`` on it as the topmost object), in (subject, owner, track) order.

    Args:
        scenes (list[VideoScene]): The people.
        frame (dict): The result of :func:`draw_frame`.
        masks (list[np.ndarray]): The people's body masks.
        size (tuple[int, int]): (W, H).
        new_entry (Callable): ``new_entry(class_name)`` -> an invisible
            record with its metadata.
        multi (bool): Whether to write the ``'subject'`` key.
        amend (Callable, optional): ``amend(entry, g, k)`` -> the record
            to keep (or None to drop it), called on each record with its
            object index ``g`` (in ``frame['objects']``) and subject ``k``
            (the video world's visible boxes and window rules).

    Returns:
        list[dict]: The AG object records of the frame.
    """
    width, height = size
    bodies, objects, order = frame['bodies'], frame['objects'], frame['order']
    clipped = [
        None if b is None else _clip_box(b, width, height)
        for b in frame['boxes']
    ]
    own, extra = [], []
    for k, (sc, body) in enumerate(zip(scenes, bodies)):
        pbox = frame['person_boxes'][k]
        min_overlap = max(6, int(round((0.03 * sc.scale)**2)))
        hand_gestures = [[] for _ in objects]
        for hand, gesture in zip(body.hands, body.gestures):
            top = topmost_under(hand, clipped, order)
            if gesture != 'rest' and top >= 0:
                hand_gestures[top].append(gesture)
        for g, (owner, i) in enumerate(objects):
            tr = scenes[owner].tracks[i]
            box = clipped[g]
            ok = box is not None and box[2] - box[0] >= 2 and box[3] - box[
                1] >= 2
            att = attention_label(box, sc.face_visible,
                                  frame['gaze_ends'][k]) if ok else None
            if owner != k and not (ok and (hand_gestures[g] or att == 0)):
                continue
            entry = new_entry(OBJECT_CLASSES[tr.label])
            if ok:
                x1, y1, x2, y2 = (int(round(v)) for v in box)
                overlap = int(masks[k][y1:y2, x1:x2].sum())
                spa = spatial_labels(box, tr.layer, pbox, overlap,
                                     min_overlap)
                contained = spa == [SPATIAL_PREDICATES.index('in')]
                entry.update(
                    bbox=(box[0], box[1], box[2] - box[0], box[3] - box[1]),
                    attention_relationship=[ATTENTION_PREDICATES[att]],
                    spatial_relationship=[SPATIAL_PREDICATES[j] for j in spa],
                    contacting_relationship=[
                        CONTACTING_PREDICATES[j] for j in contacting_labels(
                            box, tr.label, tr.layer, body, contained,
                            hand_gestures[g])
                    ],
                    visible=True)
            if multi:
                entry['subject'] = k
            if amend is not None:
                entry = amend(entry, g, k)
                if entry is None:
                    continue
            (own if owner == k else extra).append(entry)
    return own + extra


def person_entry(scenes: List[VideoScene], frame: dict, t: int, width: int,
                 height: int) -> dict:
    """The ``person_bbox.pkl`` entry of frame ``t``: every person's box,
    or none when person 0's missing-box event happens (as a failed
    detection in real AG)."""
    n = 0 if scenes[0].no_person_box[t] else len(scenes)
    pboxes = frame['person_boxes']
    return dict(
        bbox=np.stack(pboxes[:n]) if n else np.zeros((0, 4), np.float32),
        bbox_score=np.ones((n, ), np.float32),
        bbox_size=(width, height),
        bbox_mode='xyxy',
        keypoints=np.zeros((n, 17, 3), np.float32),
        keypoints_logits=np.zeros((n, 17), np.float32))


def render_video(video_index: int,
                 seed: int,
                 num_frames: int,
                 size: Tuple[int, int],
                 test_fraction: float,
                 frames_dir: Optional[str],
                 max_people: int = 1) -> Tuple[str, list]:
    """Generate one video: write its frames, return its annotations.

    Args:
        video_index (int): Index of the video.
        seed (int): Dataset seed.
        num_frames (int): Frames of a normal video (every 32nd video,
            from index 5, has at most 2).
        size (tuple[int, int]): (W, H).
        test_fraction (float): Probability that the video is in the test
            split.
        frames_dir (str, optional): ``<root>/frames``; None renders without
            writing (benchmarks).
        max_people (int): ``K``; with ``K > 1`` the video has 1..K people
            (:mod:`.people`) and every record a ``'subject'``. Defaults to 1.

    Returns:
        tuple: ``video_id`` and a list of ``(key, person_entry,
        object_entries)`` per frame.
    """
    width, height = size
    rng = np.random.default_rng([seed, video_index])
    split = 'test' if rng.random() < test_fraction else 'train'
    if video_index % 32 == 5:  # 3% of the videos: filtered out by default
        num_frames = min(num_frames, 2)
    video_id = f'V{video_index:04d}.mp4'
    scenes = sample_people(rng, [seed, video_index, 1], width, height,
                           num_frames, max_people)
    bg = _background(rng, width, height, min(sc.ground for sc in scenes))
    frame_numbers = np.cumsum(rng.integers(8, 40, num_frames)) + int(
        rng.integers(0, 30))
    if frames_dir is not None:
        os.makedirs(osp.join(frames_dir, video_id), exist_ok=True)
    thick = max(1, int(round(width / 128)))
    masks = [np.zeros((height, width), np.uint8) for _ in scenes]
    out = []
    for t in range(num_frames):
        img = bg.copy()
        frame = draw_frame(img, scenes, t, masks, thick)
        number = int(frame_numbers[t])
        key = f'{video_id}/{number:06d}.png'
        if frames_dir is not None:
            cv2.imwrite(osp.join(frames_dir, key), img)
        objects = frame_records(
            scenes, frame, masks, size,
            lambda name: _entry(video_id, name, number, split),
            max_people > 1)
        person = person_entry(scenes, frame, t, width, height)
        out.append((key, person, objects))
    return video_id, out
