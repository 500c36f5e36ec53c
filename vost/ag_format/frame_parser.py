"""Parse one Action Genome frame at a time into VOST's data contract,
applying the filters of :class:`~vost.ag_format.options.LoadOptions` and
counting what each one removes (the body of
:func:`vost.ag_format.load_action_genome`)."""
import math
import os.path as osp
from typing import Dict, List, Optional, Tuple


from vost.structures.ag_meta import (
    OBJECT_NAME_TO_ID,
    PERSON_LABEL,
    PREDICATE_GROUP_NAMES,
    PREDICATE_GROUP_OFFSETS,
    PREDICATE_GROUPS,
    PREDICATE_NAME_TO_ID,
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
from .options import SPLITS, LoadOptions
from .report import empty_report
from .subjects import NO_SUBJECT, link_relations, parse_person_boxes

__all__ = ['FrameParser', 'ANNOTATION_FILES']

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


class FrameParser:
    """State of one load: the options, the files, the error collector, the
    report's counters and the name caches."""

    def __init__(self, data_root: str, opts: LoadOptions):
        self.opts = opts
        self.errors = ErrorCollector(opts.on_error)
        ann_dir = osp.join(data_root, 'annotations')
        self.paths = {
            k: osp.join(ann_dir, v)
            for k, v in ANNOTATION_FILES.items()
        }
        self.frames_root = osp.abspath(osp.join(data_root, opts.frames_dir))
        # read once per object below
        self.opath = self.paths['objects']
        self.min_edge = opts.min_edge
        self.report = empty_report(opts.split, opts.task)
        self.rem_f = self.report['removed']['frames']
        self.rem_o = self.report['removed']['objects']
        self.class_cache: Dict[str, int] = {}
        self.pred_caches: Dict[str, Dict] = {
            g: {}
            for g in PREDICATE_GROUP_NAMES
        }

    def read_files(self) -> Tuple[dict, dict, List[str]]:
        """Read (and check) the annotation files.

        Returns:
            tuple: the person dict, the object dict (both keyed by frame
            key) and the frame keys in the order of ``frame_list.txt``.
        """
        paths = self.paths
        if self.opts.check_class_files:
            read_class_file(paths['object_classes'], 'object')
            read_class_file(paths['relationship_classes'], 'relationship')
        person_all = load_pickle(paths['person'])
        objects_all = load_pickle(paths['objects'])
        for name, ann in (('person', person_all), ('objects', objects_all)):
            if not isinstance(ann, dict):
                raise AGAnnotationError(
                    f'{paths[name]}: expected a dict keyed by frame key, '
                    f'got {type(ann).__name__}')
        keys = check_key_sets(person_all, objects_all,
                              read_lines(paths['frame_list']), paths,
                              self.errors)
        return person_all, objects_all, keys

    def in_split(self, key: str, objs) -> bool:
        """Filter 1: whether the frame belongs to the loaded split."""
        opath = self.paths['objects']
        if not isinstance(objs, list) or not objs:
            self.errors(
                'bad_frame', f"{opath}: key '{key}' has no object list "
                f'(got {objs!r}); its split is undefined')
            self.rem_f['invalid'] += 1
            return False
        if not self.opts.split_by_first_object:
            return True
        meta = objs[0].get('metadata') or {}
        if meta.get('set') not in SPLITS:
            self.errors(
                'bad_frame', f"{opath}: key '{key}', first object: "
                f"metadata['set'] is {meta.get('set')!r}, expected one of "
                f'{SPLITS}')
            self.rem_f['invalid'] += 1
            return False
        if meta['set'] != self.opts.split:
            self.rem_f['other_split'] += 1
            return False
        return True

    def parse_object(self, key: str, obj: dict,
                     frame_size: Optional[tuple] = None) -> Optional[tuple]:
        """Filter 2 for one object: ``(instance, relations)`` or None.

        ``frame_size`` ``(W, H)`` (the person record's ``bbox_size``), when
        known, bounds the box (:func:`_box_outside_frame`).
        """
        rem_o, opath = self.rem_o, self.opath
        visible = obj.get('visible') if isinstance(obj, dict) else None
        if visible is None:
            self.errors(
                'bad_object', f"{opath}: key '{key}', object "
                f"{obj.get('class') if isinstance(obj, dict) else obj!r}: "
                "no 'visible' field (every Action Genome object record has "
                'one)')
            rem_o['invalid'] += 1
            return None
        if not visible:
            rem_o['invisible'] += 1
            return None
        name = obj.get('class')
        label = self.class_cache.get(name)
        if label is None:
            label = OBJECT_NAME_TO_ID.get(normalize_name(str(name)), 0)
            if label <= PERSON_LABEL:
                self.errors(
                    'unknown_class', f"{opath}: key '{key}': unknown "
                    f"object class {name!r} in field 'class'")
                rem_o['invalid'] += 1
                return None
            self.class_cache[name] = label
        box = obj.get('bbox')
        try:
            x, y, w, h = box
            # NaN fails every comparison: finite positive sizes only
            ok = 0 < w < math.inf and 0 < h < math.inf and \
                math.isfinite(x) and math.isfinite(y)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            self.errors(
                'bad_box', f"{opath}: key '{key}', object {name!r}: "
                f"field 'bbox' (x, y, w, h) = {box!r} is missing, not "
                'finite or has a non-positive size')
            rem_o['invalid'] += 1
            return None
        outside = _box_outside_frame(x, y, w, h, frame_size)
        if outside:
            self.errors(
                'bad_box', f"{opath}: key '{key}', object {name!r}: "
                f"field 'bbox' (x, y, w, h) = {box!r} {outside}")
            rem_o['invalid'] += 1
            return None
        rel = _parse_relations(obj, key, opath, self.errors,
                               self.pred_caches)
        if rel is None:
            rem_o['invalid'] += 1
            return None
        min_edge = self.min_edge
        if min_edge is not None and (w < min_edge or h < min_edge):
            rem_o['small_box'] += 1
            return None
        x, y = float(x), float(y)
        instance = dict(
            bbox=[x, y, x + float(w), y + float(h)],
            bbox_label=label,
            ignore_flag=0)
        return instance, rel

    def parse_person(self, key: str, pinfo) -> Optional[tuple]:
        """The person boxes of a frame: ``(persons, (w, h))`` with
        ``persons`` a list of N instance dicts, or None for a malformed
        record (:func:`~vost.ag_format.subjects.parse_person_boxes`)."""
        return parse_person_boxes(pinfo, key, self.paths['person'],
                                  self.errors)

    def parse_frame(self, key: str, objs, pinfo) -> Optional[dict]:
        """Filters 2-3 for one frame of the split: its record or None."""
        rem_f, rem_o = self.rem_f, self.rem_o
        instances, relations, subjects = [], [], []
        size = pinfo.get('bbox_size') if isinstance(pinfo, dict) else None
        size = _frame_size(size)
        for obj in objs:
            parsed = self.parse_object(key, obj, size)
            if parsed is not None:
                instances.append(parsed[0])
                relations.append(parsed[1])
                subjects.append(obj.get('subject', NO_SUBJECT))
        if self.opts.require_visible_object and not instances:
            rem_f['no_visible_object'] += 1
            return None
        parsed = self.parse_person(key, pinfo)
        if parsed is None:
            rem_f['invalid'] += 1
            rem_o['in_removed_frames'] += len(instances)
            return None
        person, size = parsed
        if not person and self.opts.require_person:
            rem_f['no_person'] += 1
            rem_o['in_removed_frames'] += len(instances)
            return None
        img_path = self.frames_root + '/' + key
        if self.opts.check_frames_exist and not osp.isfile(img_path):
            if self.opts.on_error == 'raise':
                raise FileNotFoundError(
                    f"frame '{key}' is listed in "
                    f"{self.paths['frame_list']} but its image {img_path} "
                    'does not exist')
            self.errors('missing_frame', f'frame image missing: {img_path}')
            rem_f['missing_on_disk'] += 1
            rem_o['in_removed_frames'] += len(instances)
            return None
        instances, relations, dropped = link_relations(
            key, self.opath, person, instances, relations, subjects,
            self.errors)
        rem_o['invalid'] += dropped
        if self.opts.require_visible_object and not relations:
            rem_f['no_visible_object'] += 1
            return None
        return _frame_record(key, img_path, instances, relations, size)

    def assemble(self, videos: Dict[str, List[dict]],
                 seen_videos: set) -> List[dict]:
        """Filter 4 and the per-video data list, sorted by video id."""
        report, rem_f = self.report, self.rem_f
        data_list = []
        kept = report['kept']
        for video_id in sorted(videos):
            frames = videos[video_id]
            if len(frames) < self.opts.min_frames_per_video:
                report['removed']['videos']['too_few_frames'] += 1
                rem_f['in_short_videos'] += len(frames)
                self.rem_o['in_removed_frames'] += sum(
                    len(f['relations']) for f in frames)
                continue
            frames.sort(key=lambda f: (f['frame_number'], f['frame_key']))
            for i, frame in enumerate(frames):
                frame['frame_id'] = i
                kept['objects'] += len(frame['relations'])
            kept['frames'] += len(frames)
            data_list.append(
                dict(
                    video_id=video_id,
                    video_length=len(frames),
                    images=frames))
        kept['videos'] = len(data_list)
        report['removed']['videos']['no_kept_frame'] = len(seen_videos -
                                                           set(videos))
        return data_list


#: How far (fraction of the frame side, plus 2 px) a box may leave the
#: frame before it is an annotation error.
OUTSIDE_TOLERANCE = 0.1


def _frame_size(size) -> Optional[tuple]:
    """``(W, H)`` of a ``bbox_size`` that is two positive numbers."""
    try:
        w, h = float(size[0]), float(size[1])
    except (TypeError, ValueError, IndexError, KeyError):
        return None
    return (w, h) if w > 0 and h > 0 and len(size) == 2 else None


def _box_outside_frame(x, y, w, h, frame_size) -> Optional[str]:
    """Why an XYWH box is far outside its ``(W, H)`` frame, or None.

    A box may leave the frame by ``OUTSIDE_TOLERANCE`` of the frame side
    plus 2 px (annotation noise). Beyond that it is an error, named as
    "XYXY stored as XYWH" when ``(w, h)`` look like a bottom-right corner
    inside the frame (right of and below ``(x, y)``).
    """
    if frame_size is None:
        return None
    fw, fh = frame_size
    tol_x, tol_y = OUTSIDE_TOLERANCE * fw + 2, OUTSIDE_TOLERANCE * fh + 2
    if -tol_x <= x and -tol_y <= y and x + w <= fw + tol_x and \
            y + h <= fh + tol_y:
        return None
    where = (f'reaches ({x + w:g}, {y + h:g}), beyond the {fw:g}x{fh:g} '
             'frame (bbox_size)')
    if x < w <= fw + tol_x and y < h <= fh + tol_y:
        return (f'{where}: it looks like XYXY (x1, y1, x2, y2) stored in '
                'the XYWH field')
    return where


def _frame_record(key: str, img_path: str, instances: List[dict],
                  relations: List[dict], size) -> dict:
    """One frame of the data contract: the persons first, then the objects
    (:func:`~vost.ag_format.subjects.link_relations`)."""
    video_id, _, frame_name = key.rpartition('/')
    try:
        frame_number = int(frame_name.rsplit('.', 1)[0])
    except ValueError:
        frame_number = -1
    w, h = int(size[0]), int(size[1])
    return dict(
        frame_key=key,
        img_path=img_path,
        video_id=video_id,
        frame_number=frame_number,
        width=w,
        height=h,
        ori_shape=(h, w),
        instances=instances,
        relations=relations)
