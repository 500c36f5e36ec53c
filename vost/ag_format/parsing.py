"""Parse the Action Genome annotation files into VOST's data list.

This module is pure Python + numpy (no torch, no mmengine) so that the
dataset, the evaluation code and the analysis tools all build the same
ground truth from :func:`load_action_genome`.

Input files (``<data_root>/annotations/``), the real Action Genome format::

    person_bbox.pkl
        {'001YG.mp4/000089.png': {
            'bbox': float32 (N, 4) XYXY, N in {0, 1},
            'bbox_size': (w, h),   # frame size
            'bbox_score', 'bbox_mode', 'keypoints', 'keypoints_logits'}, ...}
    object_bbox_and_relationship.pkl
        {'001YG.mp4/000089.png': [
            {'class': 'sofa/couch',
             'bbox': (x, y, w, h) XYWH, or None when invisible,
             'attention_relationship': ['not_looking_at'] or None,
             'spatial_relationship': ['beneath', 'in_front_of'] or None,
             'contacting_relationship': ['sitting_on'] or None,
             'metadata': {'tag': '001YG.mp4/sofa_couch/000089',
                          'set': 'train'},
             'visible': True}, ...], ...}
    frame_list.txt                 one key per line, same key set
    object_classes.txt             36 raw names ('closetcabinet ', ...)
    relationship_classes.txt       26 raw names ('lookingat', ...)

Filters, applied in this order (STTran-family semantics; each one can be
switched off and each one is counted in the report):

1. split: a frame belongs to the split of its *first* object's
   ``metadata['set']`` (``split_by_first_object``);
2. objects: invisible objects are dropped; for sgcls/sgdet, objects whose
   box short edge is < ``min_box_short_edge`` px are dropped;
3. frames: a frame needs >= 1 kept object (``require_visible_object``) and
   a person box (``require_person``); optionally its image must exist
   (``check_frames_exist``);
4. videos: a video needs >= ``min_frames_per_video`` kept frames.
"""
import dataclasses
import gc
from collections import OrderedDict, defaultdict
from typing import Dict, List, Tuple

from vost.structures.ag_meta import TASKS
from .frame_parser import ANNOTATION_FILES, FrameParser
from .options import SPLITS, LoadOptions
from .report import format_load_report

__all__ = [
    'load_action_genome', 'LoadOptions', 'format_load_report',
    'ANNOTATION_FILES', 'TASKS', 'SPLITS'
]


def load_action_genome(data_root: str,
                       split: str = 'test',
                       task: str = 'sgdet',
                       **options) -> Tuple[List[dict], dict]:
    """Load and filter Action Genome annotations.

    Args:
        data_root (str): Folder holding ``annotations/`` and ``frames/``.
        split (str): ``'train'`` or ``'test'``. Defaults to ``'test'``.
        task (str): ``'predcls'``, ``'sgcls'`` or ``'sgdet'``.
            Defaults to ``'sgdet'``.
        **options: The other fields of :class:`LoadOptions` (the filters),
            by keyword.

    Returns:
        tuple[list[dict], dict]: ``data_list``, one dict per kept video
        (sorted by video id; frames in temporal order) in the format of the
        VOST data contract (``docs/dataset_preparation.md``), and a report
        counting what each filter removed (see :func:`format_load_report`).
    """
    fields = {f.name for f in dataclasses.fields(LoadOptions)}
    unknown = sorted(set(options) - fields)
    if unknown:
        raise TypeError(f'load_action_genome: unknown options {unknown}; '
                        f'LoadOptions has {sorted(fields)}')
    opts = LoadOptions(split=split, task=task, **options)
    # Millions of small containers are created here: the cyclic garbage
    # collector would rescan them again and again (a 2x slowdown on real-AG
    # scale); none of them forms a cycle, so pause it during the load.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(data_root, opts)
    finally:
        if gc_was_enabled:
            gc.enable()


def _load(data_root: str, opts: LoadOptions) -> Tuple[List[dict], dict]:
    """The body of :func:`load_action_genome`: filters 1-4 in order."""
    parser = FrameParser(data_root, opts)
    person_all, objects_all, keys = parser.read_files()
    parser.report['keys'] = len(keys)
    videos: Dict[str, List[dict]] = defaultdict(list)
    seen_videos = set()  # videos with >= 1 frame of this split
    for key in keys:
        objs = objects_all[key]
        if not parser.in_split(key, objs):
            continue
        seen_videos.add(key.rpartition('/')[0])
        frame = parser.parse_frame(key, objs, person_all[key])
        if frame is not None:
            videos[frame['video_id']].append(frame)
    data_list = parser.assemble(videos, seen_videos)
    parser.report['errors'] = OrderedDict(
        sorted(parser.errors.counts.items()))
    parser.errors.flush()
    return data_list, parser.report
