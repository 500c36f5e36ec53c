"""All subset recalls of one evaluation: predicate, class, frequency,
frame and synthetic-world subsets, evaluated with shared candidates.

The metric and the CLI describe their options with :func:`plan_subsets`
(every ``'rest'`` resolved, names checked unique over all options), then
call :func:`evaluate_subsets`, which stacks the predictions and ranks the
candidates of each constraint once and evaluates every subset on them
(the numbers equal those of :func:`~.predicate_subsets.
evaluate_predicate_subsets` and friends, which build them per subset).
The default protocol (:func:`~.sgg_recall.evaluate_sgg` on all GT
triplets) is never touched: subsets only add ``'{name}/...'`` keys.
"""
from collections import OrderedDict
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from vost.structures.ag_meta import OBJECT_CLASSES, PREDICATES
from .candidates import CONSTRAINTS, build_candidates
from .class_subsets import keep_triplets, resolve_class_subsets
from .frame_subsets import frame_subset_indices, load_frame_subsets
from .gt_triplets import GTTriplets
from .predicate_subsets import resolve_subsets
from .prediction_format import PredictionBatch, stack_predictions
from .sgg_table import format_sgg_table

__all__ = ['Subset', 'plan_subsets', 'evaluate_subsets',
           'format_subset_tables']


@dataclass
class Subset:
    """One named subset of the evaluation.

    Attributes:
        name (str): The key prefix (``'{name}/with/R@20'``).
        kind (str): ``'predicate'``, ``'class'`` or ``'frame'``.
        members (list): Predicate names, object class names or frame keys.
        ids (list[int]): Global predicate ids or object ids (empty for
            frame subsets).
        source (str): The option it comes from (``'class_subsets'``, ...).
        strict (bool): Frame subsets: every key must be an evaluated frame.
    """
    name: str
    kind: str
    members: list
    ids: List[int]
    source: str
    strict: bool = True

    def title(self) -> str:
        """The title line of the subset's table."""
        what = dict(predicate='predicates', frame='frames',
                    **{'class': 'object classes'})[self.kind]
        shown = self.members if self.kind != 'frame' else \
            f'{len(self.members)} listed'
        return (f'{what} {self.name!r} ({self.source}): {shown}; mR over '
                'the predicates of its GT triplets')


def _add(plan: 'OrderedDict[str, Subset]', subset: Subset) -> None:
    if subset.name in plan:
        raise ValueError(
            f'subset name {subset.name!r} is used by '
            f'{plan[subset.name].source} and {subset.source}; names prefix '
            'the keys and must differ')
    if not subset.name or '/' in subset.name:
        raise ValueError(f'{subset.source}: subset name {subset.name!r} must '
                         "be non-empty and hold no '/'")
    plan[subset.name] = subset


def plan_subsets(predicate_subsets: Optional[Dict] = None,
                 class_subsets: Optional[Dict] = None,
                 frame_subsets: Optional[Dict] = None,
                 frequency: Optional[Tuple[Dict, Dict]] = None,
                 world: Optional[Tuple[Dict, Dict]] = None
                 ) -> 'OrderedDict[str, Subset]':
    """Resolve every subset option into one ordered plan.

    Args:
        predicate_subsets (dict, optional): Name -> predicate names or
            ``'rest'``.
        class_subsets (dict, optional): Name -> object class names or
            ``'rest'``.
        frame_subsets (dict, optional): Name -> frame keys or a JSON path.
        frequency (tuple[dict, dict], optional): ``(predicate subsets,
            class subsets)`` of
            :func:`~.frequency_subsets.training_frequency_subsets`.
        world (tuple[dict, dict], optional): ``(frame subsets, predicate
            subsets)`` of :func:`~.world_subsets.read_world_subsets`
            (its frame subsets are not strict).

    Returns:
        OrderedDict[str, Subset]: In report order: predicate, class,
        frequency (predicates, classes), frame, world (frames,
        predicates) subsets.

    Raises:
        ValueError: Naming the option and subset of a bad entry, or a name
            used twice.
    """
    plan: 'OrderedDict[str, Subset]' = OrderedDict()
    pred_groups = [(predicate_subsets, 'predicate_subsets')]
    cls_groups = [(class_subsets, 'class_subsets')]
    if frequency is not None:
        pred_groups.append((frequency[0], 'frequency_subsets'))
        cls_groups.append((frequency[1], 'frequency_subsets'))
    frame_groups = [(frame_subsets, 'frame_subsets', True)]
    if world is not None:
        frame_groups.append((world[0], 'world_subsets', False))
    for subsets, source in pred_groups:
        if subsets:
            _add_resolved(plan, subsets, source, 'predicate', resolve_subsets,
                          PREDICATES)
    for subsets, source in cls_groups:
        if subsets:
            _add_resolved(plan, subsets, source, 'class',
                          resolve_class_subsets, OBJECT_CLASSES)
    for subsets, source, strict in frame_groups:
        if subsets:
            for name, keys in load_frame_subsets(subsets).items():
                _add(plan, Subset(name, 'frame', keys, [], source, strict))
    if world is not None and world[1]:
        _add_resolved(plan, world[1], 'world_subsets', 'predicate',
                      resolve_subsets, PREDICATES)
    return plan


def _add_resolved(plan, subsets, source, kind, resolve, names) -> None:
    try:
        resolved = resolve(subsets)
    except ValueError as err:
        raise ValueError(f'{source}: {err}') from None
    for name, ids in resolved.items():
        _add(plan, Subset(name, kind, [names[i] for i in ids], list(ids),
                          source))


def _restrict(gt: GTTriplets, subset: Subset) -> Tuple[GTTriplets, int]:
    """The subset's GT triplets and the number of frame keys left out."""
    if subset.kind == 'frame':
        frames, left_out = frame_subset_indices(gt, subset.members,
                                                subset.name, subset.strict)
        return keep_triplets(gt, np.isin(gt.frame, frames)), left_out
    labels = gt.predicate if subset.kind == 'predicate' else gt.obj_labels
    return keep_triplets(gt, np.isin(labels, np.asarray(subset.ids,
                                                        np.int64))), 0


def evaluate_subsets(gt: GTTriplets, predictions,
                     plan: Dict[str, Subset],
                     constraints: Sequence[str] = CONSTRAINTS,
                     ks: Sequence[int] = (10, 20, 50, 100),
                     semi_threshold: float = 0.9,
                     top_k_no: int = 100,
                     source: str = 'predictions',
                     **eval_kwargs) -> 'OrderedDict[str, float]':
    """The metrics of every subset of a plan, keys prefixed by its name.

    Args:
        gt (GTTriplets): All GT triplets of the evaluated split.
        predictions (PredictionBatch | Sequence[dict]): The predictions.
        plan (dict[str, Subset]): Output of :func:`plan_subsets`.
        constraints, ks, semi_threshold, top_k_no: As
            :func:`~.sgg_recall.evaluate_sgg`.
        source (str): Origin of the predictions, for messages.
        **eval_kwargs: ``iou_type``, ``iou_threshold``
            (``mr_absent_as_zero`` is forced to False: mR averages the
            predicates present in the subset's GT).

    Returns:
        OrderedDict: Per subset ``'{name}/with/R@10'`` ... (as
        :func:`~.sgg_recall.metric_keys`), ``'{name}/num_frames'`` (frames
        with a triplet of the subset), ``'{name}/num_frames_without_...'``,
        ``'{name}/num_gt_triplets'``; non-strict frame subsets add
        ``'{name}/num_listed_frames_not_evaluated'``. A subset without GT
        triplets has NaN recalls (R, mR and mR_per_frame).
    """
    from .sgg_recall import evaluate_sgg
    out: 'OrderedDict[str, float]' = OrderedDict()
    if not plan:
        return out
    batch = predictions if isinstance(predictions, PredictionBatch) else \
        stack_predictions(predictions, source)
    ks = sorted(int(k) for k in ks)
    candidates = {
        c: build_candidates(batch, c, semi_threshold, top_k_no,
                            limit=max(ks))
        for c in constraints
    }
    eval_kwargs = dict(eval_kwargs, mr_absent_as_zero=False)
    for name, subset in plan.items():
        sub, left_out = _restrict(gt, subset)
        metrics, _ = evaluate_sgg(
            sub, batch, constraints=constraints, ks=ks,
            semi_threshold=semi_threshold, top_k_no=top_k_no, source=source,
            candidates=candidates, **eval_kwargs)
        empty = metrics['num_gt_triplets'] == 0
        for key, value in metrics.items():
            # no GT triplet: nothing to recall, every recall is NaN
            out[f'{name}/{key}'] = float('nan') if empty and '@' in key \
                else value
        if not subset.strict:
            out[f'{name}/num_listed_frames_not_evaluated'] = left_out
    return out


def format_subset_tables(metrics: Dict[str, float], plan: Dict[str, Subset],
                         constraints: Sequence[str] = CONSTRAINTS,
                         ks: Sequence[int] = (10, 20, 50, 100)
                         ) -> List[str]:
    """One table per subset, in plan order.

    Args:
        metrics (dict): Output of :func:`evaluate_subsets`.
        plan (dict[str, Subset]): The plan evaluated.
        constraints (Sequence[str]): Table rows.
        ks (Sequence[int]): The Ks.

    Returns:
        list[str]: The tables (title line first); a non-strict frame
        subset's table ends with the count of listed frames left out.
    """
    tables = []
    for name, subset in plan.items():
        prefix = name + '/'
        own = {k[len(prefix):]: v for k, v in metrics.items()
               if k.startswith(prefix)}
        table = format_sgg_table(own, constraints, sorted(ks),
                                 title=subset.title())
        if 'num_listed_frames_not_evaluated' in own:
            table += (f"\n{own['num_listed_frames_not_evaluated']} listed "
                      'frame(s) are no evaluated frame of this split (other '
                      'split or filtered out) and were left out')
        tables.append(table)
    return tables
