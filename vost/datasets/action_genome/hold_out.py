"""Hold predicates out of the training labels (zero-shot evaluation).

Open-vocabulary scene graph evaluation trains without some predicates and
tests on them (``docs/evaluation.md``, "Recall on predicate subsets"). The
held-out predicates are removed from every relation's label lists; the
relation and its other labels stay. Only the multi-label groups (spatial,
contacting) can be held out: an attention relation has exactly one label.
"""
from collections import Counter
from typing import Dict, List, Sequence

from vost.structures.ag_meta import (PREDICATE_GROUP_OF, PREDICATE_GROUPS,
                                     PREDICATE_NAME_TO_ID, normalize_name)

__all__ = ['held_out_local_ids', 'hold_out_predicates']

_MULTI_LABEL = ('spatial', 'contacting')


def held_out_local_ids(names: Sequence[str]) -> Dict[str, set]:
    """Group -> local predicate indices of the held-out names.

    Args:
        names (Sequence[str]): Predicate names.

    Returns:
        dict[str, set[int]]: For ``'spatial'`` and ``'contacting'``.

    Raises:
        ValueError: For an unknown or an attention predicate.
    """
    out = {g: set() for g in _MULTI_LABEL}
    for name in names:
        gid = PREDICATE_NAME_TO_ID.get(normalize_name(str(name)))
        if gid is None:
            raise ValueError(f'hold_out_predicates: unknown predicate '
                             f'{name!r}')
        group, local = PREDICATE_GROUP_OF[gid]
        if group not in _MULTI_LABEL:
            raise ValueError(
                f'hold_out_predicates: {name!r} is an attention predicate; '
                'attention has exactly one label per relation, so only '
                'spatial and contacting predicates can be held out')
        out[group].add(local)
    return out


def hold_out_predicates(data_list: List[dict],
                        names: Sequence[str]) -> Counter:
    """Remove the named predicates from the labels, in place.

    Args:
        data_list (list[dict]): Videos of the data contract.
        names (Sequence[str]): Spatial / contacting predicate names.

    Returns:
        Counter: Removed labels per predicate name.
    """
    held = held_out_local_ids(names)
    removed = Counter()
    for video in data_list:
        for frame in video['images']:
            for rel in frame['relations']:
                for group in _MULTI_LABEL:
                    drop = [p for p in rel[group] if p in held[group]]
                    if drop:
                        rel[group] = [
                            p for p in rel[group] if p not in held[group]
                        ]
                        for p in drop:
                            removed[PREDICATE_GROUPS[group][p]] += 1
    return removed
