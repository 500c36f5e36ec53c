"""Write a synthetic Action Genome dataset in the exact AG on-disk format.

The scene (:mod:`.scene`), the drawing (:mod:`.body`, :mod:`.looks`) and
the predicate rules (:mod:`.rules`) are documented in their modules and in
``docs/synthetic_action_genome.md``. Each video is generated from its own
random generator seeded by ``(seed, video index)``, so the output depends
only on the arguments, not on the number of worker processes.
"""
import os
import os.path as osp
from typing import Callable, Optional, Tuple

import cv2
import numpy as np

from vost.ag_format import write_annotations
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
from .scene import pose_frame, sample_scene

__all__ = ['make_synthetic_ag', 'render_video']


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


def render_video(video_index: int, seed: int, num_frames: int,
                 size: Tuple[int, int], test_fraction: float,
                 frames_dir: Optional[str]) -> Tuple[str, list]:
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
    scene = sample_scene(rng, width, height, num_frames)
    bg = _background(rng, width, height, scene.ground)
    frame_numbers = np.cumsum(rng.integers(8, 40, num_frames)) + int(
        rng.integers(0, 30))
    if frames_dir is not None:
        os.makedirs(osp.join(frames_dir, video_id), exist_ok=True)
    min_overlap = max(6, int(round((0.03 * scene.scale)**2)))
    thick = max(1, int(round(width / 128)))
    mask = np.zeros((height, width), np.uint8)
    out = []
    for t in range(num_frames):
        img = bg.copy()
        mask[:] = 0
        body, places = pose_frame(scene, t)
        boxes = [None] * len(places)
        # Behind layer, then front layer; large objects first in a layer.
        order = sorted(
            (i for i, pl in enumerate(places) if pl is not None),
            key=lambda i: (scene.tracks[i].layer == 'front',
                           -places[i]['size'][0] * places[i]['size'][1]))
        for i in order:
            if scene.tracks[i].layer == 'behind':
                boxes[i] = draw_object(img, scene.tracks[i].label,
                                       **places[i])
        draw_body(img, body, scene.shirt, scene.trousers, mask)
        if not scene.occluded[t]:
            draw_face(img, body, scene.face_visible)
        for i in order:
            if scene.tracks[i].layer == 'front':
                boxes[i] = draw_object(img, scene.tracks[i].label,
                                       **places[i])
        target = scene.targets[t]
        gaze_end = None
        if target >= 0 and boxes[target] is not None:
            b = boxes[target]
            gaze_end = np.array([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2])
        if (gaze_end is not None and scene.face_visible
                and not scene.occluded[t]):
            start = tuple(int(v) for v in body.points['eye'])
            cv2.arrowedLine(img, start, tuple(int(v) for v in gaze_end),
                            GAZE, thick, tipLength=0.15)
        draw_hand_markers(img, body)
        if scene.occluded[t]:
            cv2.circle(img, tuple(int(v) for v in body.points['head']),
                       int(body.head_radius * 2.2), (128, 128, 128), -1)
        pbox = body.box(width, height)
        clipped = [
            None if b is None else _clip_box(b, width, height) for b in boxes
        ]
        hand_gestures = [[] for _ in boxes]
        for hand, gesture in zip(body.hands, body.gestures):
            top = topmost_under(hand, clipped, order)
            if gesture != 'rest' and top >= 0:
                hand_gestures[top].append(gesture)
        key = f'{video_id}/{int(frame_numbers[t]):06d}.png'
        if frames_dir is not None:
            cv2.imwrite(osp.join(frames_dir, key), img)
        objects = []
        for i, tr in enumerate(scene.tracks):
            box = clipped[i]
            name = OBJECT_CLASSES[tr.label]
            entry = {
                'class': name,
                'bbox': None,
                'attention_relationship': None,
                'spatial_relationship': None,
                'contacting_relationship': None,
                'metadata': {
                    'tag': f"{video_id}/{name.replace('/', '_')}/"
                    f'{int(frame_numbers[t]):06d}',
                    'set': split
                },
                'visible': False
            }
            if box is not None and box[2] - box[0] >= 2 and box[3] - box[
                    1] >= 2:
                x1, y1, x2, y2 = (int(round(v)) for v in box)
                overlap = int(mask[y1:y2, x1:x2].sum())
                spa = spatial_labels(box, tr.layer, pbox, overlap,
                                     min_overlap)
                contained = spa == [SPATIAL_PREDICATES.index('in')]
                entry.update(
                    bbox=(box[0], box[1], box[2] - box[0], box[3] - box[1]),
                    attention_relationship=[
                        ATTENTION_PREDICATES[attention_label(
                            box, scene.face_visible, gaze_end)]
                    ],
                    spatial_relationship=[SPATIAL_PREDICATES[k] for k in spa],
                    contacting_relationship=[
                        CONTACTING_PREDICATES[k] for k in contacting_labels(
                            box, tr.label, tr.layer, body, contained,
                            hand_gestures[i])
                    ],
                    visible=True)
            objects.append(entry)
        has_box = not scene.no_person_box[t]
        person = dict(
            bbox=pbox[None] if has_box else np.zeros((0, 4), np.float32),
            bbox_score=np.ones((int(has_box), ), np.float32),
            bbox_size=(width, height),
            bbox_mode='xyxy',
            keypoints=np.zeros((int(has_box), 17, 3), np.float32),
            keypoints_logits=np.zeros((int(has_box), 17), np.float32))
        out.append((key, person, objects))
    return video_id, out


def _render_star(args):
    return render_video(*args)


def make_synthetic_ag(out_dir: str,
                      num_videos: int,
                      num_frames: int = 10,
                      seed: int = 0,
                      size: Tuple[int, int] = (256, 256),
                      test_fraction: float = 0.25,
                      num_workers: int = 0,
                      progress: Optional[Callable] = None) -> dict:
    """Generate a synthetic Action Genome dataset.

    Writes ``<out_dir>/annotations/`` (the five AG files) and
    ``<out_dir>/frames/VID.mp4/NNNNNN.png``.

    Args:
        out_dir (str): Output root.
        num_videos (int): Number of videos.
        num_frames (int): Annotated frames per video (every 32nd video,
            from index 5, gets 2, to exercise the video-length filter).
            Defaults to 10.
        seed (int): Seed; the output is a function of the arguments.
            Defaults to 0.
        size (tuple[int, int]): Frame (W, H). Defaults to (256, 256).
        test_fraction (float): Share of test videos. Defaults to 0.25.
        num_workers (int): Worker processes (0: in this process).
        progress (Callable, optional): Wraps the iterator of finished videos
            (e.g. ``tqdm`` with ``total=num_videos``).

    Returns:
        dict: ``videos``, ``frames`` and the ``out_dir``.
    """
    if num_videos < 1 or num_frames < 1:
        raise ValueError('num_videos and num_frames must be >= 1, got '
                         f'{num_videos} and {num_frames}')
    frames_dir = osp.join(out_dir, 'frames')
    jobs = [(i, seed, num_frames, tuple(size), test_fraction, frames_dir)
            for i in range(num_videos)]
    if num_workers > 0:
        import multiprocessing as mp
        with mp.get_context('fork').Pool(num_workers) as pool:
            it = pool.imap(_render_star, jobs, chunksize=4)
            results = list(progress(it) if progress else it)
    else:
        it = (_render_star(j) for j in jobs)
        results = list(progress(it) if progress else it)
    person, objects, frame_list = {}, {}, []
    for _, frames in results:
        for key, p, o in frames:
            person[key], objects[key] = p, o
            frame_list.append(key)
    write_annotations(out_dir, person, objects, frame_list)
    return dict(out_dir=out_dir, videos=num_videos, frames=len(frame_list))

