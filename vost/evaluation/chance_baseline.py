"""The chance baseline of zero-shot predicates.

A model's predictions with the scores of some predicates replaced by
uniform random numbers (seeded): the zero-shot recall a model gets for
predicates it knows nothing about, with its own boxes, labels and the
other predicates' scores unchanged. The novel recall of a text-scored model
(``test_cfg.novel_predicates``) is compared with it.
"""
from typing import List, Sequence

import numpy as np

from vost.structures.ag_meta import PREDICATE_GROUP_OF
from .functional.predicate_subsets import predicate_ids

__all__ = ['chance_predicate_scores']


def chance_predicate_scores(preds: Sequence[dict], names: Sequence[str],
                            seed: int = 0) -> List[dict]:
    """Copies of prediction dicts with random scores for ``names``.

    Args:
        preds (Sequence[dict]): Prediction-file dicts (``attention_scores``
            (R, 3), ``spatial_scores`` (R, 6), ``contacting_scores``
            (R, 17)).
        names (Sequence[str]): Predicates whose scores become
            ``U(0, 1)`` draws, one per pair.
        seed (int): Seed of the draws (frames in the given order).

    Returns:
        list[dict]: The new predictions (other fields shared).
    """
    columns = [(f'{PREDICATE_GROUP_OF[gid][0]}_scores',
                PREDICATE_GROUP_OF[gid][1])
               for gid in predicate_ids(names, 'chance baseline')]
    rng = np.random.default_rng(seed)
    out = []
    for pred in preds:
        new = dict(pred)
        for field, local in columns:
            scores = np.array(new[field], dtype=np.float32, copy=True)
            scores[:, local] = rng.random(len(scores), dtype=np.float32)
            new[field] = scores
        out.append(new)
    return out
