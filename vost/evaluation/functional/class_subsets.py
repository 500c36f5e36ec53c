"""Recall on a subset of the object classes.

A class subset's recall is the published protocol
(:func:`~.sgg_recall.evaluate_sgg`) on the GT triplets whose **object**
class (the relation's object; the subject is the person) is one of the
subset's classes, as predicate subsets do it
(:mod:`~.predicate_subsets`): frames without such a triplet are not
evaluated, the candidates are unchanged (every pair and predicate of the
frame competes for the top K), and mR@K averages the predicates present in
the subset's triplets. A subset given as the string ``'rest'`` holds every
object class of no other subset.
"""
import dataclasses
from collections import OrderedDict
from typing import Dict, List, Sequence

import numpy as np

from vost.structures.ag_meta import (NUM_OBJECT_CLASSES, OBJECT_NAME_TO_ID,
                                     PERSON_LABEL, normalize_name)
from .gt_triplets import GTTriplets
from .predicate_subsets import resolve_rest

__all__ = [
    'OBJECT_CLASS_IDS', 'class_ids', 'resolve_class_subsets',
    'keep_triplets', 'evaluate_class_subsets'
]

#: The ids a class subset may name: the 35 object classes (2..36).
OBJECT_CLASS_IDS = tuple(range(PERSON_LABEL + 1, NUM_OBJECT_CLASSES + 1))


def class_ids(names: Sequence[str], what: str = 'classes') -> List[int]:
    """Object ids (2..36) of object class names.

    Args:
        names (Sequence[str]): Pretty (``'cup/glass/bottle'``) or squashed
            (``'cupglassbottle'``) names.
        what (str): What the names are, for the error.

    Returns:
        list[int]: The ids, in the given order.

    Raises:
        ValueError: Naming an unknown name or ``'person'``.
    """
    if isinstance(names, str) or not isinstance(names, (list, tuple)):
        raise ValueError(f"{what}: expected a list of class names or 'rest'"
                         f', got {names!r}')
    ids = []
    for name in names:
        cid = OBJECT_NAME_TO_ID.get(normalize_name(str(name)))
        if cid == PERSON_LABEL:
            raise ValueError(f"{what}: 'person' is the subject of every "
                             'relation; class subsets select by the object '
                             'class (the 35 object classes)')
        if cid is None or cid not in OBJECT_CLASS_IDS:
            raise ValueError(f'{what}: unknown object class {name!r}; the 35 '
                             'Action Genome object classes are in '
                             'vost/structures/ag_meta.py')
        ids.append(cid)
    return ids


def resolve_class_subsets(subsets: Dict) -> Dict[str, List[int]]:
    """Subset name -> object ids, ``'rest'`` resolved.

    Args:
        subsets (dict): Name -> object class names, or ``'rest'`` (at most
            one subset).

    Returns:
        dict[str, list[int]]: The ids of every subset, in the given order.

    Raises:
        ValueError: Naming the subset with an unknown class or a string
            other than ``'rest'``.
    """
    if not isinstance(subsets, dict):
        raise ValueError(f'expected a dict name -> class names, got '
                         f'{subsets!r}')
    return resolve_rest(subsets, class_ids, OBJECT_CLASS_IDS)


def keep_triplets(gt: GTTriplets, keep: np.ndarray) -> GTTriplets:
    """The GT triplets where ``keep`` is True; every frame is kept (with
    fewer triplets, maybe none, so it is not evaluated).

    Args:
        gt (GTTriplets): All GT triplets.
        keep (np.ndarray): (T,) bool, one per triplet.

    Returns:
        GTTriplets: The kept triplets, same ``frame_keys``.
    """
    fields = {
        f.name: getattr(gt, f.name)[keep]
        for f in dataclasses.fields(gt)
        if f.name not in ('frame_keys', 'num_triplets')
    }
    return GTTriplets(
        frame_keys=gt.frame_keys,
        num_triplets=np.bincount(fields['frame'], minlength=gt.num_frames),
        **fields)


def evaluate_class_subsets(gt: GTTriplets, predictions,
                           subsets: Dict[str, Sequence[str]],
                           **eval_kwargs) -> 'OrderedDict[str, float]':
    """The metrics of each class subset, keys prefixed by its name.

    Args:
        gt (GTTriplets): All GT triplets.
        predictions: As :func:`~.sgg_recall.evaluate_sgg` takes them (a
            ``PredictionBatch`` is stacked once).
        subsets (dict[str, Sequence[str] | str]): Subset name -> object
            class names, or ``'rest'``.
        **eval_kwargs: Settings of :func:`~.sgg_recall.evaluate_sgg`
            (``mr_absent_as_zero`` is forced to False).

    Returns:
        OrderedDict: ``'{name}/with/R@20'`` ..., ``'{name}/num_frames'``,
        ``'{name}/num_gt_triplets'`` for every subset.
    """
    from .sgg_recall import evaluate_sgg
    eval_kwargs = dict(eval_kwargs, mr_absent_as_zero=False)
    out = OrderedDict()
    for name, ids in resolve_class_subsets(subsets).items():
        sub = keep_triplets(gt, np.isin(gt.obj_labels,
                                        np.asarray(ids, np.int64)))
        metrics, _ = evaluate_sgg(sub, predictions, **eval_kwargs)
        for key, value in metrics.items():
            out[f'{name}/{key}'] = value
    return out
