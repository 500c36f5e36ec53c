"""Head / body / tail groups of predicates and object classes by their
training frequency (the long-tail scene graph evaluation).

Long-tail scene graph work reports the recall on the *head* (frequent),
*body* and *tail* (rare) predicates beside the overall one. The groups
here are computed from the training split of the evaluated data:

- **predicates**: the number of training GT triplets of each of the 26
  predicates (one attention triplet per relation, one per spatial and per
  contacting label, :func:`~.gt_triplets.build_gt_triplets`);
- **object classes**: the number of training object *boxes* of each of the
  35 object classes (ids 2..36; every kept object instance of every kept
  training frame, person boxes excluded), not the triplet count.

The split rule (:func:`frequency_groups`): sort by training count,
descending, ties by ascending id; cut by rank into three groups, head =
the first ``ceil(n * fractions[0])`` ranks, body = the ranks up to
``ceil(n * (fractions[0] + fractions[1]))``, tail = the rest. With the
default fractions ``(1/3, 1/3)`` 26 predicates give 9 / 9 / 8, 35 classes
12 / 12 / 11 and 10 ids 4 / 3 / 3.
An id with **0** training instances always goes to the tail, even when
its rank falls in the head or body (those groups are then smaller).
"""
import math
from collections import OrderedDict
from fractions import Fraction
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from vost.structures.ag_meta import (NUM_OBJECT_CLASSES, NUM_PREDICATES,
                                     OBJECT_CLASSES, PERSON_LABEL,
                                     PREDICATES)
from .gt_triplets import build_gt_triplets

__all__ = [
    'FREQUENCY_GROUPS', 'DEFAULT_FREQUENCY_CFG', 'frequency_groups',
    'resolve_frequency_cfg', 'training_counts', 'training_frequency_subsets',
    'format_frequency_groups'
]

#: The group names, in report order.
FREQUENCY_GROUPS: Tuple[str, ...] = ('head', 'body', 'tail')
#: ``frequency_subsets=True`` means this: counts of the ``'train'`` split,
#: equal thirds by rank.
DEFAULT_FREQUENCY_CFG = dict(split='train', fractions=(1 / 3, 1 / 3))


def frequency_groups(counts: Sequence[int],
                     fractions: Sequence[float] = (1 / 3, 1 / 3),
                     ids: Optional[Sequence[int]] = None
                     ) -> 'OrderedDict[str, List[int]]':
    """Cut ids into head / body / tail by their count.

    Sort by count, descending, ties by ascending id; head = the first
    ``ceil(n * fractions[0])`` ranks, body = the ranks up to
    ``ceil(n * (fractions[0] + fractions[1]))``, tail = the rest (26 ids:
    9 / 9 / 8, 35: 12 / 12 / 11, 10: 4 / 3 / 3); ids with count 0 go to
    the tail wherever their rank falls. Fractions are read as exact
    fractions (``1/3`` is one third, so 27 ids give 9 / 9 / 9).

    Args:
        counts (Sequence[int]): (n,) training count of each id.
        fractions (Sequence[float]): ``(head, body)`` shares of the ranks,
            each in [0, 1], summing to <= 1. Defaults to ``(1/3, 1/3)``.
        ids (Sequence[int], optional): (n,) the id of each count (e.g.
            object ids 2..36). Defaults to ``0..n-1``.

    Returns:
        OrderedDict[str, list[int]]: ``head``, ``body``, ``tail`` -> ids,
        each list in rank order (most frequent first).

    Raises:
        ValueError: On negative counts, bad fractions or a length
            mismatch.
    """
    counts = np.asarray(counts)
    if counts.ndim != 1 or (counts.size and (
            not np.issubdtype(counts.dtype, np.number)
            or (counts < 0).any())):
        raise ValueError(f'frequency_groups: counts must be a 1-D sequence '
                         f'of non-negative numbers, got {counts.tolist()!r}')
    ids = np.arange(len(counts)) if ids is None else np.asarray(ids)
    if ids.shape != counts.shape:
        raise ValueError(f'frequency_groups: {len(ids)} ids for '
                         f'{len(counts)} counts')
    shares = _check_fractions(fractions)
    n = len(counts)
    order = np.lexsort((ids, -counts))  # count descending, then id
    head_end = min(n, math.ceil(n * shares[0]))
    body_end = min(n, math.ceil(n * (shares[0] + shares[1])))
    rank_group = np.full(n, 2)
    rank_group[:head_end] = 0
    rank_group[head_end:body_end] = 1
    rank_group[counts[order] == 0] = 2
    return OrderedDict(
        (name, [int(i) for i in ids[order][rank_group == g]])
        for g, name in enumerate(FREQUENCY_GROUPS))


def _check_fractions(fractions) -> Tuple[Fraction, Fraction]:
    """The two shares as exact fractions; a clear error otherwise."""
    try:
        shares = tuple(Fraction(float(f)).limit_denominator(10**6)
                       for f in fractions)
    except (TypeError, ValueError):
        shares = ()
    if len(shares) != 2 or min(shares) < 0 or sum(shares) > 1:
        raise ValueError(
            'frequency_subsets: fractions must be two numbers (head, body) '
            f'in [0, 1] summing to <= 1, got {fractions!r}')
    return shares


def resolve_frequency_cfg(option: Union[bool, dict, None]
                          ) -> Optional[dict]:
    """The ``frequency_subsets`` option as ``dict(split, fractions)``.

    Args:
        option (bool | dict | None): False / None (off), True (the
            defaults, :data:`DEFAULT_FREQUENCY_CFG`) or a dict with
            ``split`` (``'train'`` or ``'test'``) and / or ``fractions``.

    Returns:
        dict | None: The settings, or None when off.

    Raises:
        ValueError: On another type, an unknown key or bad values.
    """
    if option is None or option is False:
        return None
    if option is True:
        return dict(DEFAULT_FREQUENCY_CFG)
    if not isinstance(option, dict):
        raise ValueError('frequency_subsets must be False, True or a dict '
                         f'(split, fractions), got {option!r}')
    unknown = sorted(set(option) - set(DEFAULT_FREQUENCY_CFG))
    if unknown:
        raise ValueError(f'frequency_subsets: unknown keys {unknown}; '
                         f'expected {sorted(DEFAULT_FREQUENCY_CFG)}')
    cfg = dict(DEFAULT_FREQUENCY_CFG, **option)
    if cfg['split'] not in ('train', 'test'):
        raise ValueError("frequency_subsets: split must be 'train' or "
                         f"'test', got {cfg['split']!r}")
    _check_fractions(cfg['fractions'])
    cfg['fractions'] = tuple(float(f) for f in cfg['fractions'])
    return cfg


def training_counts(data_list: Sequence[dict],
                    subjects: str = 'one_person'
                    ) -> Tuple[np.ndarray, np.ndarray]:
    """Triplets per predicate and object boxes per class of a data_list.

    Args:
        data_list (Sequence[dict]): ``load_action_genome`` output (the
            training split, with the evaluation's task and filters).
        subjects (str): As :func:`~.gt_triplets.build_gt_triplets`.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``predicate_counts`` (26,) int64 GT
        triplets per global predicate id and ``class_counts`` (35,) int64
        object boxes per object class (ids 2..36, in id order).
    """
    gt = build_gt_triplets(data_list, subjects)
    predicate_counts = np.bincount(gt.predicate, minlength=NUM_PREDICATES)
    labels = [inst['bbox_label'] for video in data_list
              for info in video.get('images', ())
              for inst in info['instances']]
    class_counts = np.bincount(np.asarray(labels, np.int64),
                               minlength=NUM_OBJECT_CLASSES + 1)
    return predicate_counts, class_counts[PERSON_LABEL + 1:]


def training_frequency_subsets(data_list: Sequence[dict],
                      fractions: Sequence[float] = (1 / 3, 1 / 3),
                      subjects: str = 'one_person',
                      source: str = 'training split'
                      ) -> Tuple[Dict[str, List[str]], Dict[str, List[str]]]:
    """Head / body / tail predicate and class subsets of a data_list.

    This is the function a tool calls to print the groups (with
    :func:`format_frequency_groups`).

    Args:
        data_list (Sequence[dict]): The training data_list.
        fractions (Sequence[float]): As :func:`frequency_groups`.
        subjects (str): As :func:`~.gt_triplets.build_gt_triplets`.
        source (str): What the data_list is, for the error.

    Returns:
        tuple[dict, dict]: ``predicate_subsets`` (``pred_head``,
        ``pred_body``, ``pred_tail`` -> predicate names) and
        ``class_subsets`` (``cls_head`` ... -> object class names), each
        list most frequent first.

    Raises:
        ValueError: When the data_list has no GT triplet.
    """
    predicate_counts, class_counts = training_counts(data_list, subjects)
    if not predicate_counts.sum():
        raise ValueError(f'frequency_subsets: the {source} has no GT '
                         'triplet, so head / body / tail cannot be computed')
    pred = frequency_groups(predicate_counts, fractions)
    cls = frequency_groups(class_counts, fractions,
                           ids=np.arange(PERSON_LABEL + 1,
                                         NUM_OBJECT_CLASSES + 1))
    return (OrderedDict((f'pred_{g}', [PREDICATES[i] for i in ids])
                        for g, ids in pred.items()),
            OrderedDict((f'cls_{g}', [OBJECT_CLASSES[i] for i in ids])
                        for g, ids in cls.items()))


def format_frequency_groups(predicate_subsets: Dict[str, List[str]],
                            class_subsets: Dict[str, List[str]],
                            source: str = 'training split') -> str:
    """The groups of :func:`training_frequency_subsets` as readable lines.

    Args:
        predicate_subsets (dict): ``pred_head`` ... -> names.
        class_subsets (dict): ``cls_head`` ... -> names.
        source (str): Where the counts come from (first line).

    Returns:
        str: One line per group: name, size and members.
    """
    lines = [f'frequency groups from the {source} (predicates by training '
             'triplets, classes by training object boxes; count descending, '
             'ties by id, 0 -> tail):']
    for subsets in (predicate_subsets, class_subsets):
        for name, names in subsets.items():
            lines.append(f'  {name} ({len(names)}): {", ".join(names)}')
    return '\n'.join(lines)
