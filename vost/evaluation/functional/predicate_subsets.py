"""Recall on a subset of the predicates: the zero-shot (novel) and base
recalls of open-vocabulary evaluation.

Open-vocabulary scene graph work reports recall on the GT triplets of
predicates held out from training (*novel*; zR@K) beside the recall on
the others (*base*). Here a subset's recall is the published protocol
(:func:`~.sgg_recall.evaluate_sgg`) on the GT triplets of the subset's
predicates only: frames without such a triplet are not evaluated, and the
candidates are unchanged (every predicate of every pair competes for the
top K, so a model that ranks the novel predicates low is not helped).
mR@K averages the subset's predicates present in the GT. A subset given as
the string ``'rest'`` holds every predicate of no other subset (e.g.
``dict(novel=[...], base='rest')``).
"""
import dataclasses
from collections import OrderedDict
from typing import Callable, Dict, List, Sequence

import numpy as np

from vost.structures.ag_meta import (NUM_PREDICATES, PREDICATE_NAME_TO_ID,
                                     normalize_name)
from .gt_triplets import GTTriplets

__all__ = [
    'predicate_ids', 'resolve_subsets', 'resolve_rest', 'restrict_gt',
    'evaluate_predicate_subsets', 'subset_metrics'
]


def predicate_ids(names: Sequence[str], what: str = 'predicates') -> List:
    """Global predicate ids (0..25) of predicate names.

    Args:
        names (Sequence[str]): Pretty (``'looking_at'``) or squashed
            (``'lookingat'``) names.
        what (str): What the names are, for the error.

    Returns:
        list[int]: The ids, in the given order.

    Raises:
        ValueError: Naming an unknown name.
    """
    ids = []
    for name in names:
        pid = PREDICATE_NAME_TO_ID.get(normalize_name(str(name)))
        if pid is None:
            raise ValueError(f'{what}: unknown predicate {name!r}; the 26 '
                             'Action Genome predicates are in '
                             'vost/structures/ag_meta.py')
        ids.append(pid)
    return ids


def resolve_subsets(subsets: Dict) -> Dict[str, List[int]]:
    """Subset name -> global predicate ids, ``'rest'`` resolved.

    Args:
        subsets (dict): Name -> predicate names, or ``'rest'`` (at most
            one subset).

    Returns:
        dict[str, list[int]]: The ids of every subset.
    """
    return resolve_rest(subsets, predicate_ids, range(NUM_PREDICATES))


def resolve_rest(subsets: Dict, to_ids: Callable,
                 universe: Sequence[int]) -> Dict[str, List[int]]:
    """Subset name -> ids, with ``'rest'`` (in at most one subset) the ids
    of ``universe`` in no other subset (predicate and class subsets).

    Args:
        subsets (dict): Name -> names, or ``'rest'``.
        to_ids (Callable): ``to_ids(names, what)`` -> ids (raises on an
            unknown name).
        universe (Sequence[int]): Every id, in order.

    Returns:
        dict[str, list[int]]: The ids of every subset, in the given order.
    """
    out, rest = {}, [n for n, v in subsets.items() if isinstance(v, str)]
    for name, names in subsets.items():
        if isinstance(names, str):
            if names != 'rest' or len(rest) > 1:
                raise ValueError(
                    f"subset {name!r}: a string value must be 'rest', in "
                    f'at most one subset, got {names!r}')
            continue
        out[name] = to_ids(names, f'subset {name!r}')
    if rest:
        taken = {i for ids in out.values() for i in ids}
        out[rest[0]] = [i for i in universe if i not in taken]
    return {name: out[name] for name in subsets}


def restrict_gt(gt: GTTriplets, ids: Sequence[int]) -> GTTriplets:
    """The GT triplets whose predicate is one of ``ids`` (every frame
    kept, with fewer triplets).

    Args:
        gt (GTTriplets): All GT triplets.
        ids (Sequence[int]): Global predicate ids.

    Returns:
        GTTriplets: The restricted triplets.
    """
    keep = np.isin(gt.predicate, np.asarray(list(ids), np.int64))
    fields = {
        f.name: getattr(gt, f.name)[keep]
        for f in dataclasses.fields(gt)
        if f.name not in ('frame_keys', 'num_triplets')
    }
    return GTTriplets(
        frame_keys=gt.frame_keys,
        num_triplets=np.bincount(fields['frame'],
                                 minlength=gt.num_frames),
        **fields)


def evaluate_predicate_subsets(gt: GTTriplets, predictions,
                               subsets: Dict[str, Sequence[str]],
                               **eval_kwargs) -> 'OrderedDict[str, float]':
    """The metrics of each predicate subset, keys prefixed by its name.

    Args:
        gt (GTTriplets): All GT triplets.
        predictions: As :func:`~.sgg_recall.evaluate_sgg` takes them.
        subsets (dict[str, Sequence[str] | str]): Subset name (e.g.
            ``'novel'``) -> predicate names, or ``'rest'``.
        **eval_kwargs: Settings of :func:`~.sgg_recall.evaluate_sgg`
            (``mr_absent_as_zero`` is forced to False).

    Returns:
        OrderedDict: ``'{name}/with/R@20'`` ..., ``'{name}/num_frames'``,
        ``'{name}/num_gt_triplets'`` for every subset.
    """
    from .sgg_recall import evaluate_sgg
    eval_kwargs = dict(eval_kwargs, mr_absent_as_zero=False)
    out = OrderedDict()
    for name, ids in resolve_subsets(subsets).items():
        sub = restrict_gt(gt, ids)
        metrics, _ = evaluate_sgg(sub, predictions, **eval_kwargs)
        for key, value in metrics.items():
            out[f'{name}/{key}'] = value
    return out


def subset_metrics(metrics: Dict[str, float], name: str) -> Dict:
    """One subset's metrics without their ``'{name}/'`` prefix (the keys
    :func:`~.sgg_table.format_sgg_table` reads).

    Args:
        metrics (dict): Output of :func:`evaluate_predicate_subsets`.
        name (str): The subset.

    Returns:
        dict: ``'with/R@20'`` ... of that subset.
    """
    prefix = name + '/'
    return {k[len(prefix):]: v for k, v in metrics.items()
            if k.startswith(prefix)}
