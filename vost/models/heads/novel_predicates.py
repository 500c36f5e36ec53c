"""Predicates scored from text alone at test time (zero-shot).

A model trained with predicates held out of its labels
(``ActionGenomeDataset(hold_out_predicates=...)``) never saw a positive
for them, so their trained classifier outputs only say "no". With
``test_cfg.novel_predicates`` the head scores them by the multi-modal
feature bank's predicate-text logits alone (``scale * cos(pair feature,
prompt embedding)``, docs/vlm.md), the open-vocabulary rule; the other
predicates keep trained branch + text logits.
"""
from typing import Dict, List, Sequence

from vost.structures.ag_meta import (PREDICATE_GROUP_OF, PREDICATE_GROUPS,
                                     PREDICATE_NAME_TO_ID, normalize_name)

__all__ = ['novel_local_indices']


def novel_local_indices(names: Sequence[str]) -> Dict[str, List[int]]:
    """Group -> sorted local indices of predicate names.

    Args:
        names (Sequence[str]): Predicate names (any group).

    Returns:
        dict[str, list[int]]: For every predicate group (empty lists for
        groups without a named predicate).

    Raises:
        ValueError: Naming an unknown predicate.
    """
    out = {group: [] for group in PREDICATE_GROUPS}
    for name in names:
        gid = PREDICATE_NAME_TO_ID.get(normalize_name(str(name)))
        if gid is None:
            raise ValueError('test_cfg.novel_predicates: unknown predicate '
                             f'{name!r}')
        group, local = PREDICATE_GROUP_OF[gid]
        out[group].append(local)
    return {group: sorted(set(ids)) for group, ids in out.items()}
