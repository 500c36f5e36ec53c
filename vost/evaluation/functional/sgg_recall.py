"""Recall@K and mean recall@K of scene graph predictions (vectorised).

The protocol of the STTran/OED ``BasicSceneGraphEvaluator`` (``docs/design.md``
section 3, ``docs/evaluation.md``), computed for all frames at once: the
candidates of every frame are ranked (:mod:`.candidates`), joined with the
GT triplets of equal (frame, subject class, object class, predicate) and
kept where both boxes reach the IoU threshold. A GT triplet is hit at K
when a candidate ranked below K matches it; several candidates may hit one
GT triplet and one candidate may hit several (it is counted once per GT).
"""
from collections import OrderedDict
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np

from vost.structures.ag_meta import (NUM_OBJECT_CLASSES, NUM_PREDICATES,
                                     PREDICATES)
from .box_iou import IOU_TYPES, aligned_box_iou
from .candidates import CONSTRAINTS, Candidates, build_candidates
from .gt_triplets import GTTriplets
from .prediction_format import (PredictionBatch, PredictionFormatError,
                                stack_predictions)

__all__ = ['build_match_index', 'match_candidates', 'recall_from_first_rank',
           'recalls_at_ks', 'evaluate_sgg', 'metric_keys']

_NUM_LABELS = NUM_OBJECT_CLASSES + 1
_NEVER = np.iinfo(np.int64).max


def _triplet_key(frame: np.ndarray, sub: np.ndarray, obj: np.ndarray,
                 predicate: np.ndarray) -> np.ndarray:
    """One int64 per (frame, subject class, object class, predicate)."""
    return ((frame * _NUM_LABELS + sub) * _NUM_LABELS + obj) * \
        NUM_PREDICATES + predicate


def build_match_index(batch: PredictionBatch, gt: GTTriplets,
                      gt_frame_of_pred: np.ndarray,
                      iou_type: str = 'legacy',
                      iou_threshold: float = 0.5) -> Dict[str, np.ndarray]:
    """The (pair, GT triplet) matches that do not depend on the predicate.

    A candidate (pair, predicate) hits a GT triplet when the pair's frame,
    subject class and object class are the triplet's, both boxes reach the
    IoU threshold, and the predicate is the triplet's. The first three
    conditions hold for a (pair, triplet) whatever the candidates are, so
    they are joined once per evaluation (on int64 keys ``(frame, subject
    class, object class)``, only key-equal rows get an IoU) and shared by
    the constraints.

    Args:
        batch (PredictionBatch): The predictions.
        gt (GTTriplets): GT triplets.
        gt_frame_of_pred (np.ndarray): (N,) GT frame index per prediction.
        iou_type (str): ``'legacy'`` (+1 pixel) or ``'continuous'`` IoU.
        iou_threshold (float): Both boxes need IoU >= this.

    Returns:
        dict[str, np.ndarray]: ``pair`` (M,) global pair index and ``gt``
        (M,) GT triplet index of each (pair, triplet) with equal frame and
        classes and both IoUs at the threshold; ``num_pairs`` (a 0-d int).
    """
    f = batch.fields
    pair_frame = np.repeat(
        np.arange(len(batch), dtype=np.int64), np.diff(batch.pair_offsets))
    base = batch.box_offsets[:-1][pair_frame]
    sub_box = f['pair_inds'][:, 0] + base
    obj_box = f['pair_inds'][:, 1] + base
    labels = f['labels']
    pair_key = _triplet_key(gt_frame_of_pred[pair_frame], labels[sub_box],
                            labels[obj_box], 0)
    gt_key = _triplet_key(gt.frame, gt.sub_labels, gt.obj_labels, 0)
    gt_order = np.argsort(gt_key, kind='stable')
    sorted_key = gt_key[gt_order]
    lo = np.searchsorted(sorted_key, pair_key, 'left')
    num = np.searchsorted(sorted_key, pair_key, 'right') - lo
    pair = np.repeat(np.arange(len(pair_key), dtype=np.int64), num)
    within = np.arange(len(pair)) - np.repeat(np.cumsum(num) - num, num)
    gt_idx = gt_order[np.repeat(lo, num) + within]
    boxes = f['bboxes']
    ok = ((aligned_box_iou(boxes[sub_box[pair]], gt.sub_boxes[gt_idx],
                           iou_type) >= iou_threshold)
          & (aligned_box_iou(boxes[obj_box[pair]], gt.obj_boxes[gt_idx],
                             iou_type) >= iou_threshold))
    return dict(pair=pair[ok], gt=gt_idx[ok],
                num_pairs=np.asarray(len(pair_key)),
                iou=np.asarray([IOU_TYPES.index(iou_type), iou_threshold]))


def match_candidates(cands: Candidates,
                     batch: PredictionBatch,
                     gt: GTTriplets,
                     gt_frame_of_pred: np.ndarray,
                     iou_type: str = 'legacy',
                     iou_threshold: float = 0.5,
                     index: Optional[Dict[str, np.ndarray]] = None
                     ) -> np.ndarray:
    """First rank at which each GT triplet is hit.

    Args:
        cands (Candidates): Ranked candidates of the batch.
        batch (PredictionBatch): The predictions the candidates come from.
        gt (GTTriplets): GT triplets of the evaluated frames.
        gt_frame_of_pred (np.ndarray): (N,) int64 GT frame index of each
            prediction of the batch.
        iou_type (str): ``'legacy'`` (+1 pixel) or ``'continuous'`` IoU.
        iou_threshold (float): Both boxes need IoU >= this. Defaults to 0.5.
        index (dict, optional): :func:`build_match_index` of the same
            inputs and IoU settings, to share it between constraints.

    Returns:
        np.ndarray: (T,) int64 smallest rank of a matching candidate per GT
        triplet; ``np.iinfo(np.int64).max`` where none matches.
    """
    first_rank = np.full(len(gt.frame), _NEVER, dtype=np.int64)
    if len(cands.pair) == 0 or len(gt.frame) == 0:
        return first_rank
    if index is None:
        index = build_match_index(batch, gt, gt_frame_of_pred, iou_type,
                                  iou_threshold)
    elif not np.array_equal(
            index['iou'], [IOU_TYPES.index(iou_type), iou_threshold]):
        raise ValueError('match_candidates: the index was built with other '
                         'IoU settings')
    # rank of each (pair, predicate) candidate; a pair holds at most one
    # candidate per predicate in every constraint mode
    never = np.iinfo(np.int32).max
    if len(cands.rank) and cands.rank.max() >= never:
        raise ValueError('match_candidates: ranks beyond int32')
    table = np.full((int(index['num_pairs']), NUM_PREDICATES), never,
                    dtype=np.int32)
    table[cands.pair, cands.predicate] = cands.rank
    rank = table[index['pair'], gt.predicate[index['gt']]]
    hit = rank != never
    np.minimum.at(first_rank, index['gt'][hit], rank[hit])
    return first_rank


def recall_from_first_rank(first_rank: np.ndarray, gt: GTTriplets,
                           k: int) -> Tuple[float, np.ndarray, np.ndarray]:
    """R@K and both mean recalls at K from first hit ranks.

    Frames without GT triplets are skipped (they have no recall).

    Args:
        first_rank (np.ndarray): (T,) output of :func:`match_candidates`.
        gt (GTTriplets): The GT triplets.
        k (int): The K of R@K.

    Returns:
        tuple: ``recall`` (float, mean over frames with GT triplets of hits
        / GT triplets), ``per_predicate`` ((26,) float64: hits / GT count
        summed over frames; NaN where the predicate never occurs) and
        ``per_predicate_frame`` ((26,) float64: per-frame recall of the
        predicate averaged over the frames where it occurs; NaN where it
        never occurs).
    """
    return recalls_at_ks(first_rank, gt, [k])[k]


def recalls_at_ks(first_rank: np.ndarray, gt: GTTriplets,
                  ks: Sequence[int]) -> Dict[int, tuple]:
    """:func:`recall_from_first_rank` for several K, the GT counts (which
    do not depend on K) computed once.

    Args:
        first_rank (np.ndarray): (T,) output of :func:`match_candidates`.
        gt (GTTriplets): The GT triplets.
        ks (Sequence[int]): The Ks.

    Returns:
        dict[int, tuple]: K to ``(recall, per_predicate,
        per_predicate_frame)`` as :func:`recall_from_first_rank` returns.
    """
    num_frames = gt.num_frames
    valid = gt.num_triplets > 0
    count_p = np.bincount(gt.predicate, minlength=NUM_PREDICATES)
    cell = gt.frame * NUM_PREDICATES + gt.predicate
    size = num_frames * NUM_PREDICATES
    count_fp = np.bincount(cell, minlength=size).reshape(-1, NUM_PREDICATES)
    present = count_fp > 0
    present_any, present_sum = present.any(0), present.sum(0)
    count_fp = np.maximum(count_fp, 1)
    out = {}
    for k in ks:
        hit = first_rank < k
        hits_f = np.bincount(gt.frame[hit], minlength=num_frames)
        recall = float(np.mean(hits_f[valid] / gt.num_triplets[valid])) \
            if valid.any() else float('nan')
        hits_p = np.bincount(gt.predicate[hit], minlength=NUM_PREDICATES)
        hits_fp = np.bincount(
            cell[hit], minlength=size).reshape(-1, NUM_PREDICATES)
        with np.errstate(invalid='ignore', divide='ignore'):
            per_predicate = np.where(count_p > 0, hits_p / count_p, np.nan)
            frame_recall = np.where(present, hits_fp / count_fp, 0)
            per_predicate_frame = np.where(
                present_any, frame_recall.sum(0) / present_sum, np.nan)
        out[k] = (recall, per_predicate, per_predicate_frame)
    return out


def metric_keys(constraints: Sequence[str] = CONSTRAINTS,
                ks: Sequence[int] = (10, 20, 50, 100)) -> list:
    """Names of the recall metrics, in report order.

    Args:
        constraints (Sequence[str]): Constraint modes.
        ks (Sequence[int]): The Ks.

    Returns:
        list[str]: ``'{c}/R@{k}'``, then ``'{c}/mR@{k}'`` (summed), then
        ``'{c}/mR_per_frame@{k}'``, each for every constraint and K.
    """
    return [
        f'{c}/{name}@{k}' for name in ('R', 'mR', 'mR_per_frame')
        for c in constraints for k in ks
    ]


def _mean_recall(per_predicate: np.ndarray, absent_as_zero: bool) -> float:
    if absent_as_zero:
        return float(np.nan_to_num(per_predicate, nan=0.0).mean())
    present = ~np.isnan(per_predicate)
    return float(per_predicate[present].mean()) if present.any() else 0.0


def _align_frames(batch: PredictionBatch, gt: GTTriplets,
                  source: str) -> np.ndarray:
    """GT frame index of each prediction; unknown frame keys raise."""
    index = gt.key_to_index()
    out = np.fromiter((index.get(k, -1) for k in batch.frame_keys),
                      np.int64, len(batch))
    unknown = np.flatnonzero(out < 0)
    if len(unknown):
        first = [batch.frame_keys[i] for i in unknown[:3]]
        raise PredictionFormatError(
            f'{source}: {len(unknown)} prediction(s) name a frame that is '
            f'not an evaluated GT frame, e.g. prediction #{unknown[0]} '
            f'(frame_key={first[0]!r}); first keys: {first}. Check the '
            'split, the task (SGCls/SGDet GT drops frames whose objects are '
            'all < 16 px) and the dataset filters.')
    return out


def evaluate_sgg(gt: GTTriplets,
                 predictions: Union[PredictionBatch, Sequence[dict]],
                 constraints: Sequence[str] = CONSTRAINTS,
                 ks: Sequence[int] = (10, 20, 50, 100),
                 semi_threshold: float = 0.9,
                 top_k_no: int = 100,
                 iou_type: str = 'legacy',
                 iou_threshold: float = 0.5,
                 mr_absent_as_zero: bool = True,
                 source: str = 'predictions',
                 candidates: Optional[Dict[str, Candidates]] = None
                 ) -> Tuple['OrderedDict[str, float]', Dict[str, Any]]:
    """Evaluate scene graph predictions against GT triplets.

    Args:
        gt (GTTriplets): GT triplets of every evaluated frame.
        predictions (PredictionBatch | Sequence[dict]): Predictions in the
            prediction file format (checked here if not yet a batch).
        constraints (Sequence[str]): Constraint modes to evaluate.
        ks (Sequence[int]): The Ks of R@K. Defaults to (10, 20, 50, 100).
        semi_threshold (float): Semi-constraint threshold. Defaults to 0.9.
        top_k_no (int): Candidates kept per frame without constraint.
            Defaults to 100.
        iou_type (str): ``'legacy'`` (default, the published numbers) or
            ``'continuous'``.
        iou_threshold (float): Box IoU threshold. Defaults to 0.5.
        mr_absent_as_zero (bool): mR divides by all 26 predicates, a
            predicate without GT counting as recall 0 (the reference
            behaviour; on the full AG test set all 26 occur). If False, mR
            averages the predicates present in the GT. Defaults to True.
        source (str): Origin of the predictions, for messages.
        candidates (dict[str, Candidates], optional): Constraint to its
            :func:`build_candidates` of these predictions with these
            settings (``limit=max(ks)``), built beforehand; the others are
            built here.

    Returns:
        tuple[OrderedDict, dict]: ``metrics``, fractions in [0, 1] keyed as
        :func:`metric_keys` plus ``num_frames`` (evaluated frames: GT frames
        with >= 1 triplet), ``num_frames_without_prediction``,
        ``num_frames_without_gt_triplets`` and ``num_gt_triplets``; and
        ``details`` with ``per_predicate`` / ``per_predicate_frame``
        (``{constraint: {K: {predicate name: recall or None}}}``) and
        ``absent_predicates`` (names without GT).

    Raises:
        PredictionFormatError: On invalid predictions or unknown frames.
    """
    for c in constraints:
        if c not in CONSTRAINTS:
            raise ValueError(f'unknown constraint {c!r}, expected a subset '
                             f'of {CONSTRAINTS}')
    if iou_type not in IOU_TYPES:
        raise ValueError(f'iou_type must be one of {IOU_TYPES}, got '
                         f'{iou_type!r}')
    ks = sorted(int(k) for k in ks)
    batch = predictions if isinstance(predictions, PredictionBatch) else \
        stack_predictions(predictions, source)
    gt_frame_of_pred = _align_frames(batch, gt, source)
    has_pred = np.zeros(gt.num_frames, dtype=bool)
    has_pred[gt_frame_of_pred] = True
    valid = gt.num_triplets > 0

    metrics: 'OrderedDict[str, float]' = OrderedDict()
    details: Dict[str, Any] = dict(per_predicate={}, per_predicate_frame={})
    table: Dict[str, float] = {}
    index = build_match_index(batch, gt, gt_frame_of_pred, iou_type,
                              iou_threshold)
    for c in constraints:
        cands = (candidates or {}).get(c) or build_candidates(
            batch, c, semi_threshold, top_k_no, limit=max(ks))
        first_rank = match_candidates(cands, batch, gt, gt_frame_of_pred,
                                      iou_type, iou_threshold, index)
        details['per_predicate'][c] = {}
        details['per_predicate_frame'][c] = {}
        for k, (recall, per_p, per_pf) in recalls_at_ks(first_rank, gt,
                                                        ks).items():
            table[f'{c}/R@{k}'] = recall
            table[f'{c}/mR@{k}'] = _mean_recall(per_p, mr_absent_as_zero)
            table[f'{c}/mR_per_frame@{k}'] = _mean_recall(
                per_pf, mr_absent_as_zero)
            for name, arr in (('per_predicate', per_p),
                              ('per_predicate_frame', per_pf)):
                details[name][c][k] = OrderedDict(
                    (p, None if np.isnan(v) else float(v))
                    for p, v in zip(PREDICATES, arr))
    for key in metric_keys(constraints, ks):
        metrics[key] = table[key]
    counts = np.bincount(gt.predicate, minlength=NUM_PREDICATES)
    details['absent_predicates'] = [
        p for p, n in zip(PREDICATES, counts) if n == 0
    ]
    metrics['num_frames'] = int(valid.sum())
    metrics['num_frames_without_prediction'] = int((valid & ~has_pred).sum())
    metrics['num_frames_without_gt_triplets'] = int((~valid).sum())
    metrics['num_gt_triplets'] = int(len(gt.frame))
    return metrics, details
