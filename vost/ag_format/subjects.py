"""The people of a frame and which of them each relation belongs to.

Real Action Genome has at most one person box per frame and every object
record relates to that person. VOST reads an optional extension for
several people (``docs/dataset_preparation.md``, "Several people"):

- ``person_bbox.pkl``: ``'bbox'`` is ``(N, 4)`` XYXY with any N >= 0;
- ``object_bbox_and_relationship.pkl``: a record may name its subject with
  ``'subject': k``, an index into the frame's person rows. An object
  related to several people has one record per subject, with the same
  ``'class'`` and ``'bbox'``; it becomes one instance of the frame.

A frame whose records have no ``'subject'`` key and at most one person box
(every real AG frame) is read exactly as without the extension.
"""
from typing import Callable, List, Optional, Tuple

import numpy as np

from vost.structures.ag_meta import PERSON_LABEL, class_name

__all__ = ['NO_SUBJECT', 'parse_person_boxes', 'link_relations']

#: Marks an object record without a ``'subject'`` key.
NO_SUBJECT = object()


def parse_person_boxes(pinfo, key: str, path: str,
                       errors: Callable) -> Optional[tuple]:
    """The person boxes of a frame: ``(persons, (w, h))`` or None.

    Args:
        pinfo: The frame's ``person_bbox.pkl`` record.
        key (str): Frame key (for the error).
        path (str): ``person_bbox.pkl`` path (for the error).
        errors (Callable): ``errors(kind, msg)``, the load's collector.

    Returns:
        tuple | None: A list of N person instance dicts (``bbox`` XYXY,
        ``bbox_label`` 1) and the ``bbox_size``; None for a malformed
        record (reported as ``'bad_person'``).
    """
    pbox = size = None
    if isinstance(pinfo, dict):
        size = pinfo.get('bbox_size')
        try:
            pbox = np.asarray(pinfo['bbox'],
                              dtype=np.float32).reshape(-1, 4).tolist()
        except (KeyError, TypeError, ValueError):
            pass
    if pbox is None or size is None or len(size) != 2 or not all(
            b[2] > b[0] and b[3] > b[1] for b in pbox):
        errors(
            'bad_person', f"{path}: key '{key}': expected 'bbox' (N, 4) "
            "XYXY with positive sizes (N is 0 or 1 in Action Genome) and "
            f"'bbox_size' (w, h), got {pinfo!r}")
        return None
    persons = [
        dict(bbox=b, bbox_label=PERSON_LABEL, ignore_flag=0) for b in pbox
    ]
    return persons, size


def _subject_error(subject, num_persons: int) -> Optional[str]:
    """Why a record's ``'subject'`` value is invalid, or None."""
    if subject is NO_SUBJECT:
        if num_persons > 1:
            return (f'the frame has {num_persons} person boxes, so the '
                    "record must name its subject ('subject': k)")
        return None
    if isinstance(subject, bool) or not isinstance(subject,
                                                   (int, np.integer)):
        return f'expected an int index into the person boxes, got ' \
               f'{subject!r}'
    if not 0 <= subject < num_persons:
        return (f'{int(subject)} is not an index into the frame\'s '
                f'{num_persons} person box(es)')
    return None


def link_relations(key: str, path: str, persons: List[dict],
                   instances: List[dict], relations: List[dict],
                   subjects: list, errors: Callable) -> Tuple[list, list, int]:
    """Set each relation's ``subject`` and ``object`` instance indices.

    Instances are the persons first, then the objects. Without the
    extension (no ``'subject'`` key, at most one person) object record
    ``j`` is instance ``j + len(persons)`` and every subject is 0 (-1
    without a person box), as always. With it, records of the same
    ``(class, bbox)`` share one object instance.

    Args:
        key (str): Frame key. path (str): Object file (for errors).
        persons (list[dict]): The N person instances.
        instances (list[dict]): One object instance per kept record.
        relations (list[dict]): The records' relations (same order).
        subjects (list): Each record's ``'subject'`` or :data:`NO_SUBJECT`.
        errors (Callable): The load's error collector.

    Returns:
        tuple: ``(instances, relations, dropped)``: the frame's instances
        (persons first), its relations and the number of records dropped
        for an invalid subject (counted as invalid objects).
    """
    num = len(persons)
    if num <= 1 and all(s is NO_SUBJECT for s in subjects):
        for j, rel in enumerate(relations):
            rel['subject'] = 0 if persons else -1
            rel['object'] = j + num
        return persons + instances, relations, 0
    objects, index, kept, seen = [], {}, [], set()
    for inst, rel, subject in zip(instances, relations, subjects):
        why = _subject_error(subject, num) if num else None
        obj_key = (inst['bbox_label'], tuple(inst['bbox']))
        sub = -1 if not num else (0 if subject is NO_SUBJECT else
                                  int(subject))
        if why is None and num and (sub, obj_key) in seen:
            why = (f'a second record of this object for subject {sub} '
                   '(one record per subject and object)')
        if why is not None:
            errors(
                'bad_subject', f"{path}: key '{key}', object "
                f"'{class_name(inst['bbox_label'])}' (XYXY {inst['bbox']}): "
                f"field 'subject': {why}")
            continue
        seen.add((sub, obj_key))
        if obj_key not in index:
            index[obj_key] = num + len(objects)
            objects.append(inst)
        rel['subject'], rel['object'] = sub, index[obj_key]
        kept.append(rel)
    return persons + objects, kept, len(relations) - len(kept)
