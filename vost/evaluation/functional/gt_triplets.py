"""Ground-truth triplets of every evaluated frame, as concatenated arrays."""
from dataclasses import dataclass
from typing import Dict, List, Sequence

import numpy as np

from vost.structures.ag_meta import (NUM_OBJECT_CLASSES,
                                     PREDICATE_GROUP_OFFSETS,
                                     PREDICATE_GROUPS)

__all__ = ['GTTriplets', 'build_gt_triplets', 'SUBJECT_MODES']

#: ``'one_person'``: the published protocol, where every relation of a frame
#: has the same subject (its one person); ``'per_triplet'``: the protocol
#: generalised to several people, each GT triplet with its own subject box
#: (the matching rule is the same; one-person frames give equal numbers).
SUBJECT_MODES = ('one_person', 'per_triplet')

_GROUPS = tuple((g, len(names)) for g, names in PREDICATE_GROUPS.items())


@dataclass
class GTTriplets:
    """GT triplets of all evaluated frames, concatenated over frames.

    Every triplet is stored in *pair orientation*: ``sub`` is the relation's
    ``subject`` (the person) and ``obj`` its ``object``, also for spatial
    predicates, whose published triplet is ``<object, spatial, person>``.
    Predicted spatial triplets are reversed the same way, so matching in pair
    orientation is identical to matching the reversed triplets.

    Attributes:
        frame_keys (list[str]): F frame keys, in data_list order.
        num_triplets (np.ndarray): (F,) int64 GT triplets per frame.
        frame (np.ndarray): (T,) int64 frame index of each triplet.
        predicate (np.ndarray): (T,) int64 global predicate id 0..25.
        sub_labels (np.ndarray): (T,) int64 subject (person) object id.
        obj_labels (np.ndarray): (T,) int64 object id 1..36.
        sub_boxes (np.ndarray): (T, 4) float64 XYXY subject boxes.
        obj_boxes (np.ndarray): (T, 4) float64 XYXY object boxes.
    """
    frame_keys: List[str]
    num_triplets: np.ndarray
    frame: np.ndarray
    predicate: np.ndarray
    sub_labels: np.ndarray
    obj_labels: np.ndarray
    sub_boxes: np.ndarray
    obj_boxes: np.ndarray

    @property
    def num_frames(self) -> int:
        """int: Number of evaluated frames F."""
        return len(self.frame_keys)

    def key_to_index(self) -> Dict[str, int]:
        """Map each frame key to its frame index.

        Returns:
            dict[str, int]: frame key -> index in ``frame_keys``.
        """
        return {key: i for i, key in enumerate(self.frame_keys)}


def _fail(frame_key: str, field: str, msg: str) -> None:
    raise ValueError(f'GT frame {frame_key!r}, field {field!r}: {msg}')


def _check_frame(info: dict, video_id) -> None:
    """Slow, precise check of one frame_info (used to explain a failure)."""
    key = info.get('frame_key') if isinstance(info, dict) else None
    if not isinstance(key, str):
        raise ValueError(f'GT frame_info without a str "frame_key" in '
                         f'video {video_id!r}: {key!r}')
    instances = info.get('instances')
    if not isinstance(instances, list) or not instances:
        _fail(key, 'instances', 'missing or empty')
    for j, inst in enumerate(instances):
        try:
            box = [float(v) for v in inst['bbox']]
            int(inst['bbox_label'])
        except (KeyError, TypeError, ValueError) as exc:
            _fail(key, f'instances[{j}]',
                  f'needs "bbox" (4 numbers) and "bbox_label" ({exc!r})')
        if len(box) != 4:
            _fail(key, f'instances[{j}].bbox',
                  f'expected 4 numbers, got {inst["bbox"]!r}')
    relations = info.get('relations')
    if not isinstance(relations, list):
        _fail(key, 'relations', f'expected a list, got {relations!r}')
    for r, rel in enumerate(relations):
        for field in ('subject', 'object', 'attention'):
            if not isinstance(rel.get(field), (int, np.integer)):
                _fail(key, f'relations[{r}].{field}',
                      f'expected an int, got {rel.get(field)!r}')
        for field in ('spatial', 'contacting'):
            value = rel.get(field)
            if not isinstance(value, (list, tuple, np.ndarray)) or not all(
                    isinstance(v, (int, np.integer)) for v in value):
                _fail(key, f'relations[{r}].{field}',
                      f'expected a list of local ints, got {value!r}')


def _check_range(values: np.ndarray, low, high: np.ndarray,
                 owner_frame: np.ndarray, frame_keys: List[str], field: str,
                 what: str) -> None:
    """Raise naming the frame of the first value outside [low, high)."""
    bad = (values < low) | (values >= high)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        hi = high if np.ndim(high) == 0 else high[i]
        _fail(frame_keys[owner_frame[i]], field,
              f'{values[i]} is not {what} in [{low}, {hi})')


def _check_one_subject(subj: np.ndarray, rel_frame: np.ndarray,
                       frame_keys: List[str]) -> None:
    """Raise naming the first frame whose relations have several
    subjects (the one-person protocol)."""
    if not len(subj):
        return
    pairs = np.unique(np.stack([rel_frame, subj], 1), axis=0)
    many = np.flatnonzero(np.bincount(pairs[:, 0]) > 1)
    if len(many):
        subjects = pairs[pairs[:, 0] == many[0], 1].tolist()
        _fail(frame_keys[many[0]], 'relations.subject',
              f'relations of several subjects {subjects}: the published '
              "protocol has one person per frame; evaluate several people "
              "with subjects='per_triplet' (metric option, --subjects)")


def build_gt_triplets(data_list: Sequence[dict],
                      subjects: str = 'one_person') -> GTTriplets:
    """Build the GT triplets of every frame of a data_list.

    Per frame and relation: one attention triplet, one spatial triplet per
    spatial label, one contacting triplet per contacting label (docs/design.md
    section 3). Labels are kept as given (a repeated label gives a repeated
    triplet, as in the reference evaluator).

    Args:
        data_list (Sequence[dict]): ``ActionGenomeDataset.data_list``: one
            dict per video with ``'images'``, a list of frame_info dicts
            holding ``frame_key``, ``instances`` (``bbox`` XYXY in original
            pixels, ``bbox_label``) and ``relations`` (``subject``,
            ``object``, ``attention`` local int, ``spatial`` and
            ``contacting`` lists of local ints).
        subjects (str): One of :data:`SUBJECT_MODES`. ``'one_person'``
            (default) refuses a frame whose relations name several
            subjects; ``'per_triplet'`` accepts several people.

    Returns:
        GTTriplets: The concatenated triplets of all frames.

    Raises:
        ValueError: On a malformed frame (naming frame key and field) or a
            frame key that occurs twice.
    """
    if subjects not in SUBJECT_MODES:
        raise ValueError(f'subjects must be one of {SUBJECT_MODES}, got '
                         f'{subjects!r}')
    frame_keys: List[str] = []
    n_inst, n_rel, n_spa, n_con = [], [], [], []
    boxes, labels, subj, obj, att, spa, con = [], [], [], [], [], [], []
    for video in data_list:
        for info in video.get('images', ()):
            try:  # fast path; the slow check explains a failure
                frame_keys.append(info['frame_key'])
                instances = info['instances']
                n_inst.append(len(instances))
                for inst in instances:
                    boxes.append(inst['bbox'])
                    labels.append(inst['bbox_label'])
                relations = info['relations']
                n_rel.append(len(relations))
                for rel in relations:
                    subj.append(rel['subject'])
                    obj.append(rel['object'])
                    att.append(rel['attention'])
                    n_spa.append(len(rel['spatial']))
                    spa.extend(rel['spatial'])
                    n_con.append(len(rel['contacting']))
                    con.extend(rel['contacting'])
            except (KeyError, TypeError, AttributeError):
                _check_frame(info, video.get('video_id'))
                raise
    bad_key = next((k for k in frame_keys if not isinstance(k, str)), None)
    if bad_key is not None:
        raise ValueError(f'GT frame_info with a non-str "frame_key": '
                         f'{bad_key!r}')
    if len(set(frame_keys)) != len(frame_keys):
        seen = set()
        dup = next(k for k in frame_keys if k in seen or seen.add(k))
        raise ValueError(f'GT frame {dup!r} occurs twice in data_list')
    try:
        all_boxes = np.array(boxes, dtype=np.float64).reshape(-1, 4)
        arrays = [
            np.array(v, dtype=np.int64)
            for v in (labels, subj, obj, att, spa, con)
        ]
    except (TypeError, ValueError):
        for video in data_list:
            for info in video.get('images', ()):
                _check_frame(info, video.get('video_id'))
        raise
    all_labels, subj_a, obj_a, att_a, spa_a, con_a = arrays
    n_inst_a = np.array(n_inst, dtype=np.int64)
    n_rel_a = np.array(n_rel, dtype=np.int64)
    frames = np.arange(len(frame_keys))
    inst_frame = np.repeat(frames, n_inst_a)
    rel_frame = np.repeat(frames, n_rel_a)
    empty = np.flatnonzero(n_inst_a == 0)
    if len(empty):
        _fail(frame_keys[empty[0]], 'instances', 'empty')
    if not np.all(np.isfinite(all_boxes)):
        _fail(frame_keys[inst_frame[~np.isfinite(all_boxes).all(1)][0]],
              'instances.bbox', 'holds NaN or infinite values')
    _check_range(all_labels, 1, NUM_OBJECT_CLASSES + 1, inst_frame,
                 frame_keys, 'instances.bbox_label', 'an object id')
    for name, values in (('subject', subj_a), ('object', obj_a)):
        _check_range(values, 0, n_inst_a[rel_frame], rel_frame, frame_keys,
                     f'relations.{name}', 'an instance index')
    for (group, size), values, counts in zip(
            _GROUPS, (att_a, spa_a, con_a),
            (np.ones_like(subj_a), n_spa, n_con)):
        _check_range(values, 0, size, np.repeat(rel_frame, counts),
                     frame_keys, f'relations.{group}', 'a local index')

    if subjects == 'one_person':
        _check_one_subject(subj_a, rel_frame, frame_keys)

    # Triplets: attention (one per relation), spatial, contacting.
    inst_base = np.cumsum(n_inst_a) - n_inst_a
    sub_g = subj_a + inst_base[rel_frame]
    obj_g = obj_a + inst_base[rel_frame]
    rel_of = [np.arange(len(subj_a)),
              np.repeat(np.arange(len(subj_a)), n_spa),
              np.repeat(np.arange(len(subj_a)), n_con)]
    predicate = np.concatenate([
        values + PREDICATE_GROUP_OFFSETS[group]
        for (group, _), values in zip(_GROUPS, (att_a, spa_a, con_a))
    ])
    rel = np.concatenate(rel_of)
    frame = rel_frame[rel]
    return GTTriplets(
        frame_keys=frame_keys,
        num_triplets=np.bincount(frame, minlength=len(frame_keys)),
        frame=frame,
        predicate=predicate,
        sub_labels=all_labels[sub_g[rel]],
        obj_labels=all_labels[obj_g[rel]],
        sub_boxes=all_boxes[sub_g[rel]],
        obj_boxes=all_boxes[obj_g[rel]])
