"""Ranked triplet candidates of predicted pairs under the three constraints.

Per predicted (person, object) pair there are three rows (attention,
spatial, contacting), each scoring only its own group; a candidate is one
(pair, predicate) entry, scored ``obj_score(sub) * obj_score(obj) *
predicate score`` (float64, in that order). Which entries are candidates:

- ``'with'``: the argmax of each row (first maximum on ties): 3 per pair;
- ``'semi'``: the attention argmax, plus every spatial and contacting entry
  whose predicate score is ``> semi_threshold`` (strictly);
- ``'no'``: all 26 entries; only the ``top_k_no`` best of a frame are kept.

Candidates of a frame are ranked by score, descending. Ties (float32
sigmoids saturate to exactly 1.0, so they occur) are broken by a fixed
stable order: pair index in the frame ascending, then global predicate id
ascending (attention < spatial < contacting).
"""
from dataclasses import dataclass
from typing import Tuple

import numpy as np

from vost.structures.ag_meta import NUM_PREDICATES, PREDICATE_GROUP_OFFSETS
from .prediction_format import PredictionBatch

__all__ = ['CONSTRAINTS', 'Candidates', 'segmented_topk_asc',
           'build_candidates']

#: The three constraint modes of the Action Genome protocol.
CONSTRAINTS = ('with', 'semi', 'no')
_GROUP_STARTS = (0, PREDICATE_GROUP_OFFSETS['spatial'],
                 PREDICATE_GROUP_OFFSETS['contacting'])
#: Most elements sorted at once by :func:`segmented_topk_asc`.
_SORT_CHUNK = 1 << 22


@dataclass
class Candidates:
    """Ranked candidates, restricted to those with ``rank < limit``.

    Attributes:
        frame (np.ndarray): (C,) int64 index of the prediction (frame) in
            the :class:`PredictionBatch`.
        pair (np.ndarray): (C,) int64 global pair index into the batch.
        predicate (np.ndarray): (C,) int64 global predicate id 0..25.
        score (np.ndarray): (C,) float64 ranking score.
        rank (np.ndarray): (C,) int64 0-based rank inside the frame.
    """
    frame: np.ndarray
    pair: np.ndarray
    predicate: np.ndarray
    score: np.ndarray
    rank: np.ndarray


def _rows_topk_asc(block: np.ndarray, keep: int) -> np.ndarray:
    """Column order of the ``keep`` smallest values of each row, ranked.

    Equal to ``np.argsort(block, axis=1, kind='stable')[:, :keep]``. Where
    ``keep`` is below the row length, a row's ``keep``-th smallest value
    ``t`` is found by ``np.partition``; a row holding exactly ``keep``
    values ``<= t`` keeps those columns (in column order) and sorts only
    them, stably, which is the same ranking as the full stable sort. Rows
    with ties at ``t`` beyond ``keep`` (or NaNs) take the full sort.

    Args:
        block (np.ndarray): (R, C) values.
        keep (int): Columns kept per row, ``1 <= keep <= C``.

    Returns:
        np.ndarray: (R, keep) int64 column indices, ranked.
    """
    rows, cols = block.shape
    if keep >= cols or rows == 0:
        return np.argsort(block, axis=1, kind='stable')[:, :keep]
    kth = np.partition(block, keep - 1, axis=1)[:, keep - 1:keep]
    selected = block <= kth
    exact = np.count_nonzero(selected, axis=1) == keep
    order = np.empty((rows, keep), dtype=np.int64)
    fast = np.flatnonzero(exact)
    if len(fast) == rows:
        cand = np.nonzero(selected)[1].reshape(rows, keep)
        vals = np.take_along_axis(block, cand, axis=1)
    else:
        cand = np.nonzero(selected[fast])[1].reshape(len(fast), keep)
        vals = np.take_along_axis(block[fast], cand, axis=1)
        slow = np.flatnonzero(~exact)
        order[slow] = np.argsort(block[slow], axis=1,
                                 kind='stable')[:, :keep]
    order[fast] = np.take_along_axis(
        cand, np.argsort(vals, axis=1, kind='stable'), axis=1)
    return order


def segmented_topk_asc(values: np.ndarray, counts: np.ndarray,
                       limit: int) -> Tuple[np.ndarray, np.ndarray]:
    """The ``limit`` smallest values of every contiguous segment, ranked.

    Rank by descending score with ``values = -score`` (negating keeps the
    stable tie order, unlike reversing an ascending sort).

    Segments of equal length are ranked together as the rows of a 2-D
    array (one pass per distinct length and chunk; a plain reshape when
    those segments are adjacent), which is far faster than a global lexsort
    over millions of values. Rows longer than ``limit`` are first cut to
    their ``limit`` smallest by ``np.partition`` (:func:`_rows_topk_asc`).
    The result equals a stable sort per segment: equal values keep their
    input order.

    Args:
        values (np.ndarray): (N,) values, segment after segment.
        counts (np.ndarray): (S,) segment lengths, summing to N.
        limit (int): How many of the smallest values to keep per segment.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``index`` (M,) int64 positions in
        ``values`` of the kept elements and ``rank`` (M,) int64 their
        0-based rank in their segment (all ranks < ``limit``).
    """
    counts = np.asarray(counts, dtype=np.int64)
    if counts.sum() != len(values):
        raise ValueError(f'segment lengths sum to {counts.sum()}, but there '
                         f'are {len(values)} values')
    starts = np.cumsum(counts) - counts
    out_index, out_rank = [], []
    for c in np.unique(counts):
        if c == 0:
            continue
        c = int(c)
        segs = starts[counts == c]
        step = max(1, _SORT_CHUNK // c)
        keep = min(c, limit)
        cols = np.arange(c, dtype=np.int64)
        for i in range(0, len(segs), step):
            first = segs[i:i + step]
            if first[-1] - first[0] == (len(first) - 1) * c:  # adjacent
                block = values[first[0]:first[-1] + c].reshape(-1, c)
                index = _rows_topk_asc(block, keep) + first[:, None]
            else:
                idx = first[:, None] + cols
                order = _rows_topk_asc(values[idx], keep)
                index = np.take_along_axis(idx, order, axis=1)
            out_index.append(index.ravel())
            out_rank.append(np.broadcast_to(cols[:keep], index.shape).ravel())
    if not out_index:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(out_index), np.concatenate(out_rank)


def _semi_mask(pred_scores: np.ndarray, threshold: float) -> np.ndarray:
    """(P, 26) bool: attention argmax, spatial/contacting > threshold."""
    mask = pred_scores > threshold
    spa = PREDICATE_GROUP_OFFSETS['spatial']
    mask[:, :spa] = False
    mask[np.arange(len(pred_scores)), pred_scores[:, :spa].argmax(1)] = True
    return mask


def build_candidates(batch: PredictionBatch,
                     mode: str,
                     semi_threshold: float = 0.9,
                     top_k_no: int = 100,
                     limit: int = 100) -> Candidates:
    """Build and rank the candidates of every frame under a constraint.

    Args:
        batch (PredictionBatch): Checked, concatenated predictions.
        mode (str): ``'with'``, ``'semi'`` or ``'no'``.
        semi_threshold (float): Score a spatial/contacting entry must exceed
            to be a ``'semi'`` candidate. Defaults to 0.9.
        top_k_no (int): Candidates kept per frame in ``'no'`` mode.
            Defaults to 100.
        limit (int): Only candidates ranked below ``limit`` are returned
            (the largest K evaluated). Defaults to 100.

    Returns:
        Candidates: The ranked candidates with ``rank < limit`` (and
        ``< top_k_no`` in ``'no'`` mode).
    """
    if mode not in CONSTRAINTS:
        raise ValueError(f'mode must be one of {CONSTRAINTS}, got {mode!r}')
    f = batch.fields
    pairs_per_frame = np.diff(batch.pair_offsets)
    pair_frame = np.repeat(np.arange(len(batch), dtype=np.int64),
                           pairs_per_frame)
    box_base = batch.box_offsets[:-1][pair_frame]
    num_pairs = len(pair_frame)
    obj_scores = f['scores'].astype(np.float64)
    pair_score = (obj_scores[f['pair_inds'][:, 0] + box_base] *
                  obj_scores[f['pair_inds'][:, 1] + box_base])
    groups = (f['attention_scores'], f['spatial_scores'],
              f['contacting_scores'])
    # Scores are ranked as negated float64 products (see segmented_topk_asc).
    neg_pair = -pair_score
    if mode == 'with':
        # Row argmax per group: 3 candidates per pair, predicate ascending.
        predicate = np.stack(
            [g.argmax(1) + off for g, off in zip(groups, _GROUP_STARTS)], 1)
        neg = neg_pair[:, None] * np.stack(
            [g.max(1) for g in groups], 1).astype(np.float64)
        counts = 3 * pairs_per_frame
        per_pair = 3
    elif mode == 'semi':
        pred_scores = np.concatenate(groups, axis=1)
        pair, predicate = np.nonzero(
            _semi_mask(pred_scores, semi_threshold))
        neg = neg_pair[pair] * pred_scores[pair, predicate].astype(
            np.float64)
        counts = np.bincount(pair_frame[pair], minlength=len(batch))
        per_pair = None
    else:
        neg = np.empty((num_pairs, NUM_PREDICATES), dtype=np.float64)
        for g, lo in zip(groups, _GROUP_STARTS):
            np.multiply(neg_pair[:, None], g, out=neg[:, lo:lo + g.shape[1]])
        predicate = None
        counts = NUM_PREDICATES * pairs_per_frame
        per_pair = NUM_PREDICATES
        limit = min(limit, top_k_no)
    neg = neg.ravel()
    index, rank = segmented_topk_asc(neg, counts, limit)
    if per_pair is not None:  # candidates are the (pair, column) entries
        pair = index // per_pair
        predicate = predicate.ravel()[index] if mode == 'with' else \
            index % per_pair
    else:
        pair, predicate = pair[index], predicate[index]
    score = -neg[index]
    return Candidates(
        frame=pair_frame[pair],
        pair=pair,
        predicate=predicate.astype(np.int64, copy=False),
        score=score,
        rank=rank)
