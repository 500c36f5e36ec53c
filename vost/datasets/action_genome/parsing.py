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
import gc
import os.path as osp
from collections import OrderedDict, defaultdict
from typing import Dict, List, Optional, Tuple

import numpy as np

from vost.structures.ag_meta import (
    OBJECT_NAME_TO_ID,
    PERSON_LABEL,
    PREDICATE_GROUP_NAMES,
    PREDICATE_GROUP_OFFSETS,
    PREDICATE_GROUPS,
    PREDICATE_NAME_TO_ID,
    TASKS,
    normalize_name,
)
from .files import (
    AGAnnotationError,
    ErrorCollector,
    check_key_sets,
    load_pickle,
    read_class_file,
    read_lines,
)
from .report import empty_report, format_load_report

__all__ = [
    'load_action_genome', 'format_load_report', 'ANNOTATION_FILES', 'TASKS',
    'SPLITS'
]

SPLITS = ('train', 'test')
ANNOTATION_FILES = dict(
    person='person_bbox.pkl',
    objects='object_bbox_and_relationship.pkl',
    frame_list='frame_list.txt',
    object_classes='object_classes.txt',
    relationship_classes='relationship_classes.txt')

#: (group, annotation field) of the object records, e.g.
#: ``('attention', 'attention_relationship')``.
_GROUP_FIELDS = tuple((g, f'{g}_relationship') for g in PREDICATE_GROUP_NAMES)
_GROUP_SIZES = {g: len(names) for g, names in PREDICATE_GROUPS.items()}


def _lookup(group: str, name, cache: Dict) -> Optional[int]:
    """Local index of a predicate name in a group (cached), or None."""
    gid = PREDICATE_NAME_TO_ID.get(normalize_name(str(name)), -1)
    idx = gid - PREDICATE_GROUP_OFFSETS[group]
    if gid < 0 or not 0 <= idx < _GROUP_SIZES[group]:
        return None
    cache[name] = idx
    return idx


def _parse_relations(obj: dict, key: str, path: str, errors: ErrorCollector,
                     caches: Dict[str, Dict]) -> Optional[dict]:
    """Local predicate indices of one visible object, or None on error.

    The fast path is one cached dict lookup per name; names are normalised
    only the first time they are seen.
    """
    rel = {}
    for group, field in _GROUP_FIELDS:
        names = obj.get(field)
        if names is None or isinstance(names, str):
            errors(
                'bad_relation', f"{path}: key '{key}', object "
                f"'{obj.get('class')}': field '{field}' is {names!r} for a "
                'visible object (expected a list of predicate names)')
            return None
        cache = caches[group]
        try:
            local = [cache[n] for n in names]
        except (KeyError, TypeError):
            local = []
            for name in names:
                idx = cache.get(name) if isinstance(name, str) else None
                if idx is None:
                    idx = _lookup(group, name, cache)
                if idx is None:
                    errors(
                        'unknown_predicate', f"{path}: key '{key}', object "
                        f"'{obj.get('class')}': unknown {group} predicate "
                        f"{name!r} in field '{field}'")
                    return None
                local.append(idx)
        if len(local) > 1 and len(set(local)) < len(local):
            local = list(dict.fromkeys(local))
        rel[group] = local
    if len(rel['attention']) != 1:
        errors(
            'bad_relation', f"{path}: key '{key}', object "
            f"'{obj.get('class')}': field 'attention_relationship' must "
            f"hold exactly one predicate, got {obj['attention_relationship']}")
        return None
    rel['attention'] = rel['attention'][0]
    return rel


def load_action_genome(data_root: str,
                       split: str = 'test',
                       task: str = 'sgdet',
                       *,
                       split_by_first_object: bool = True,
                       require_person: bool = True,
                       require_visible_object: bool = True,
                       min_frames_per_video: int = 3,
                       min_box_short_edge: Optional[float] = 16,
                       check_frames_exist: bool = False,
                       check_class_files: bool = True,
                       frames_dir: str = 'frames',
                       on_error: str = 'raise') -> Tuple[List[dict], dict]:
    """Load and filter Action Genome annotations.

    Args:
        data_root (str): Folder holding ``annotations/`` and ``frames/``.
        split (str): ``'train'`` or ``'test'``. Defaults to ``'test'``.
        task (str): ``'predcls'``, ``'sgcls'`` or ``'sgdet'``; only decides
            whether the small-box filter applies. Defaults to ``'sgdet'``.
        split_by_first_object (bool): Assign a frame to the split of its
            first object's ``metadata['set']``. If False, every frame is
            kept whatever its set. Defaults to True.
        require_person (bool): Drop frames without a person box.
            Defaults to True.
        require_visible_object (bool): Drop frames without a kept object.
            Defaults to True.
        min_frames_per_video (int): Drop videos with fewer kept frames;
            0 or 1 disables. Defaults to 3.
        min_box_short_edge (float, optional): For sgcls/sgdet, drop objects
            whose box short edge (``min(w, h)`` of the XYWH box) is smaller.
            None disables. Never applied for predcls. Defaults to 16.
        check_frames_exist (bool): Require every kept frame's image under
            ``<data_root>/<frames_dir>/``. Defaults to False.
        check_class_files (bool): Read and check ``object_classes.txt`` and
            ``relationship_classes.txt``. Defaults to True.
        frames_dir (str): Frame folder inside ``data_root``.
            Defaults to ``'frames'``.
        on_error (str): ``'raise'`` raises :class:`AGAnnotationError` (or
            FileNotFoundError for a missing frame) at the first bad item;
            ``'warn'`` skips the bad object/frame, counts it in
            ``report['errors']`` and warns once per kind. Defaults to
            ``'raise'``.

    Returns:
        tuple[list[dict], dict]: ``data_list``, one dict per kept video
        (sorted by video id; frames in temporal order) in the format of the
        VOST data contract (``docs/dataset_preparation.md``), and a report
        counting what each filter removed (see :func:`format_load_report`).
    """
    # Millions of small containers are created here: the cyclic garbage
    # collector would rescan them again and again (a 2x slowdown on real-AG
    # scale); none of them forms a cycle, so pause it during the load.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(data_root, split, task, split_by_first_object,
                     require_person, require_visible_object,
                     min_frames_per_video, min_box_short_edge,
                     check_frames_exist, check_class_files, frames_dir,
                     on_error)
    finally:
        if gc_was_enabled:
            gc.enable()


def _load(data_root, split, task, split_by_first_object, require_person,
          require_visible_object, min_frames_per_video, min_box_short_edge,
          check_frames_exist, check_class_files, frames_dir, on_error):
    """The body of :func:`load_action_genome` (same arguments)."""
    if split not in SPLITS:
        raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
    if task not in TASKS:
        raise ValueError(f'task must be one of {TASKS}, got {task!r}')
    errors = ErrorCollector(on_error)
    ann_dir = osp.join(data_root, 'annotations')
    paths = {k: osp.join(ann_dir, v) for k, v in ANNOTATION_FILES.items()}
    if check_class_files:
        read_class_file(paths['object_classes'], 'object')
        read_class_file(paths['relationship_classes'], 'relationship')
    person_all = load_pickle(paths['person'])
    objects_all = load_pickle(paths['objects'])
    for name in ('person', 'objects'):
        ann = person_all if name == 'person' else objects_all
        if not isinstance(ann, dict):
            raise AGAnnotationError(f'{paths[name]}: expected a dict keyed by '
                                    f'frame key, got {type(ann).__name__}')
    keys = check_key_sets(person_all, objects_all,
                           read_lines(paths['frame_list']), paths, errors)

    report = empty_report(split, task)
    report['keys'] = len(keys)
    rem_f = report['removed']['frames']
    rem_o = report['removed']['objects']
    min_edge = None if task == 'predcls' else min_box_short_edge
    frames_root = osp.abspath(osp.join(data_root, frames_dir))
    class_cache: Dict[str, int] = {}
    pred_caches: Dict[str, Dict] = dict(
        attention={}, spatial={}, contacting={})
    videos: Dict[str, List[dict]] = defaultdict(list)
    seen_videos = set()  # videos with >= 1 frame of this split
    opath, ppath = paths['objects'], paths['person']

    for key in keys:
        objs = objects_all[key]
        if not isinstance(objs, list) or not objs:
            errors('bad_frame', f"{opath}: key '{key}' has no object list "
                   f'(got {objs!r}); its split is undefined')
            rem_f['invalid'] += 1
            continue
        if split_by_first_object:
            meta = objs[0].get('metadata') or {}
            if meta.get('set') not in SPLITS:
                errors('bad_frame', f"{opath}: key '{key}', first object: "
                       f"metadata['set'] is {meta.get('set')!r}, expected "
                       f'one of {SPLITS}')
                rem_f['invalid'] += 1
                continue
            if meta['set'] != split:
                rem_f['other_split'] += 1
                continue
        seen_videos.add(key.rpartition('/')[0])
        # Objects.
        instances, relations = [], []
        for obj in objs:
            if not obj.get('visible', False):
                rem_o['invisible'] += 1
                continue
            name = obj.get('class')
            label = class_cache.get(name)
            if label is None:
                label = OBJECT_NAME_TO_ID.get(normalize_name(str(name)), 0)
                if label <= PERSON_LABEL:
                    errors('unknown_class', f"{opath}: key '{key}': unknown "
                           f"object class {name!r} in field 'class'")
                    rem_o['invalid'] += 1
                    continue
                class_cache[name] = label
            box = obj.get('bbox')
            try:
                x, y, w, h = box
                ok = w > 0 and h > 0
            except (TypeError, ValueError):
                ok = False
            if not ok:
                errors('bad_box', f"{opath}: key '{key}', object {name!r}: "
                       f"field 'bbox' (x, y, w, h) = {box!r} is missing or "
                       'has a non-positive size')
                rem_o['invalid'] += 1
                continue
            rel = _parse_relations(obj, key, opath, errors, pred_caches)
            if rel is None:
                rem_o['invalid'] += 1
                continue
            if min_edge is not None and (w < min_edge or h < min_edge):
                rem_o['small_box'] += 1
                continue
            x, y = float(x), float(y)
            instances.append(
                dict(
                    bbox=[x, y, x + float(w), y + float(h)],
                    bbox_label=label,
                    ignore_flag=0))
            relations.append(rel)
        if require_visible_object and not instances:
            rem_f['no_visible_object'] += 1
            continue
        # Person.
        pinfo = person_all[key]
        pbox = size = None
        if isinstance(pinfo, dict):
            size = pinfo.get('bbox_size')
            try:
                pbox = np.asarray(pinfo['bbox'],
                                  dtype=np.float32).reshape(-1, 4).tolist()
            except (KeyError, TypeError, ValueError):
                pass
        if pbox is None or size is None or len(size) != 2 \
                or len(pbox) > 1 or (len(pbox) == 1 and not (
                    pbox[0][2] > pbox[0][0] and pbox[0][3] > pbox[0][1])):
            errors('bad_person', f"{ppath}: key '{key}': expected 'bbox' "
                   "(0 or 1, 4) XYXY with positive size and 'bbox_size' "
                   f'(w, h), got {pinfo!r}')
            rem_f['invalid'] += 1
            rem_o['in_removed_frames'] += len(instances)
            continue
        if len(pbox) == 0:
            if require_person:
                rem_f['no_person'] += 1
                rem_o['in_removed_frames'] += len(instances)
                continue
            person = []
        else:
            person = [
                dict(bbox=pbox[0], bbox_label=PERSON_LABEL, ignore_flag=0)
            ]
        img_path = frames_root + '/' + key
        if check_frames_exist and not osp.isfile(img_path):
            if on_error == 'raise':
                raise FileNotFoundError(
                    f"frame '{key}' is listed in {paths['frame_list']} but "
                    f'its image {img_path} does not exist')
            errors('missing_frame', f"frame image missing: {img_path}")
            rem_f['missing_on_disk'] += 1
            rem_o['in_removed_frames'] += len(instances)
            continue
        # Person first: object j of the frame is instance j + len(person);
        # subject -1 marks a missing person box (require_person=False).
        for j, rel in enumerate(relations):
            rel['subject'] = 0 if person else -1
            rel['object'] = j + len(person)
        video_id, _, frame_name = key.rpartition('/')
        try:
            frame_number = int(frame_name.rsplit('.', 1)[0])
        except ValueError:
            frame_number = -1
        w, h = int(size[0]), int(size[1])
        videos[video_id].append(
            dict(
                frame_key=key,
                img_path=img_path,
                video_id=video_id,
                frame_number=frame_number,
                width=w,
                height=h,
                ori_shape=(h, w),
                instances=person + instances,
                relations=relations))

    data_list = []
    kept = report['kept']
    for video_id in sorted(videos):
        frames = videos[video_id]
        if len(frames) < min_frames_per_video:
            report['removed']['videos']['too_few_frames'] += 1
            rem_f['in_short_videos'] += len(frames)
            rem_o['in_removed_frames'] += sum(
                len(f['relations']) for f in frames)
            continue
        frames.sort(key=lambda f: (f['frame_number'], f['frame_key']))
        for i, frame in enumerate(frames):
            frame['frame_id'] = i
            kept['objects'] += len(frame['relations'])
        kept['frames'] += len(frames)
        data_list.append(
            dict(video_id=video_id, video_length=len(frames), images=frames))
    kept['videos'] = len(data_list)
    report['removed']['videos']['no_kept_frame'] = len(seen_videos -
                                                       set(videos))
    report['errors'] = OrderedDict(sorted(errors.counts.items()))
    errors.flush()
    return data_list, report

