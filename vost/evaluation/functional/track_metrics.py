"""Identity and relation-interval metrics of predicted video scene graphs.

Both sides are given per video as per-frame lists over the same key frames
(positions 0..T-1). A prediction *covers* a GT object in a frame when the
labels are equal and the boxes overlap with IoU >= ``iou_thr``.

- **CLEAR MOT counts** (Bernardin & Stiefelhagen, 2008), class-aware: per
  frame, the GT objects keep last frame's prediction while it still covers
  them; the others are matched by the Hungarian method on IoU. ``fp``
  unmatched predictions, ``fn`` unmatched GT, ``id_switches`` GT matched to
  another track id than at its last match, ``fragmentations`` times a GT
  trajectory's matching is interrupted and later resumes;
  ``mota = 1 - (fn + fp + id_switches) / num_gt``.
- **IDF1** (Ristani et al., 2016): GT and predicted trajectories are
  matched one-to-one, maximising the frames where the pair covers; ``idtp``
  those frames, ``idf1 = 2 idtp / (num_gt + num_pred)``, ``idp`` and
  ``idr`` the precision and recall of identities.
- **Interval recall**: a GT relation interval (subject, predicate, object,
  first and last key frame) is recalled by a predicted interval with the
  same group and predicate whose subject and object tracks are the IDF1
  matches of the GT subject and object, and whose temporal IoU (key frames,
  inclusive ends) is >= ``t_iou``; each prediction recalls one GT interval
  at most (best score first).
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ['box_iou', 'clear_mot', 'id_f1', 'interval_recall',
           'gt_intervals', 'temporal_iou']

# One frame of one side: a list of (identity, label, (x1, y1, x2, y2)).
Frame = Sequence[Tuple[object, int, Sequence[float]]]


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, M) IoU of XYXY boxes (N, 4) and (M, 4)."""
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(-1)
    area_a = np.clip(a[:, 2:] - a[:, :2], 0, None).prod(-1)
    area_b = np.clip(b[:, 2:] - b[:, :2], 0, None).prod(-1)
    union = area_a[:, None] + area_b[None] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def _cover(gt: Frame, pred: Frame, iou_thr: float) -> np.ndarray:
    """(G, P) IoU where labels agree and IoU >= thr, else 0."""
    if not gt or not pred:
        return np.zeros((len(gt), len(pred)))
    iou = box_iou([g[2] for g in gt], [p[2] for p in pred])
    same = np.array([[g[1] == p[1] for p in pred] for g in gt])
    return np.where(same & (iou >= iou_thr), iou, 0.0)


def clear_mot(gt_frames: Sequence[Frame], pred_frames: Sequence[Frame],
              iou_thr: float = 0.5) -> Dict[str, float]:
    """CLEAR MOT counts of one video (module doc).

    Args:
        gt_frames (Sequence[Frame]): Per key frame, the GT objects
            ``(gt_id, label, box)``.
        pred_frames (Sequence[Frame]): Per key frame, the tracked
            predictions ``(track_id, label, box)``.
        iou_thr (float): Minimum IoU of a match. Defaults to 0.5.

    Returns:
        dict: ``num_gt``, ``num_pred``, ``matches``, ``fp``, ``fn``,
        ``id_switches``, ``fragmentations`` (ints) and ``mota``.
    """
    if len(gt_frames) != len(pred_frames):
        raise ValueError(f'clear_mot: {len(gt_frames)} GT frames but '
                         f'{len(pred_frames)} predicted frames')
    last_match: Dict[object, object] = {}  # gt id -> pred id, last match
    state: Dict[object, str] = {}  # gt id -> 'tracked' / 'lost'
    counts = dict(num_gt=0, num_pred=0, matches=0, fp=0, fn=0,
                  id_switches=0, fragmentations=0)
    for gt, pred in zip(gt_frames, pred_frames):
        cover = _cover(gt, pred, iou_thr)
        pairs = {}
        free_g, free_p = set(range(len(gt))), set(range(len(pred)))
        for g in range(len(gt)):  # keep last frame's correspondences
            prev = last_match.get(gt[g][0])
            for p in free_p:
                if pred[p][0] == prev and cover[g, p] > 0:
                    pairs[g] = p
                    break
            if g in pairs:
                free_g.discard(g)
                free_p.discard(pairs[g])
        rows, cols = sorted(free_g), sorted(free_p)
        if rows and cols:
            sub = cover[np.ix_(rows, cols)]
            for r, c in zip(*linear_sum_assignment(-sub)):
                if sub[r, c] > 0:
                    pairs[rows[r]] = cols[c]
        for g, (gid, _, _) in enumerate(gt):
            if g in pairs:
                pid = pred[pairs[g]][0]
                if gid in last_match and last_match[gid] != pid:
                    counts['id_switches'] += 1
                if state.get(gid) == 'lost':
                    counts['fragmentations'] += 1
                last_match[gid] = pid
                state[gid] = 'tracked'
            elif state.get(gid) == 'tracked':
                state[gid] = 'lost'
        counts['num_gt'] += len(gt)
        counts['num_pred'] += len(pred)
        counts['matches'] += len(pairs)
        counts['fn'] += len(gt) - len(pairs)
        counts['fp'] += len(pred) - len(pairs)
    errors = counts['fn'] + counts['fp'] + counts['id_switches']
    counts['mota'] = 1.0 - errors / counts['num_gt'] if counts[
        'num_gt'] else float('nan')
    return counts


def id_f1(gt_frames: Sequence[Frame], pred_frames: Sequence[Frame],
          iou_thr: float = 0.5) -> Dict:
    """IDF1 of one video and the trajectory matching behind it.

    Args:
        gt_frames, pred_frames: As in :func:`clear_mot`.
        iou_thr (float): Minimum IoU of a covered frame. Defaults to 0.5.

    Returns:
        dict: ``idtp``, ``num_gt``, ``num_pred`` (ints), ``idf1``,
        ``idp``, ``idr`` and ``mapping`` (GT id -> matched track id).
    """
    gt_ids = sorted({g[0] for f in gt_frames for g in f}, key=str)
    pred_ids = sorted({p[0] for f in pred_frames for p in f}, key=str)
    gi = {k: i for i, k in enumerate(gt_ids)}
    pi = {k: i for i, k in enumerate(pred_ids)}
    overlap = np.zeros((len(gt_ids), len(pred_ids)))
    for gt, pred in zip(gt_frames, pred_frames):
        cover = _cover(gt, pred, iou_thr)
        for g, p in zip(*np.nonzero(cover)):
            overlap[gi[gt[g][0]], pi[pred[p][0]]] += 1
    mapping, idtp = {}, 0
    if overlap.size:
        for r, c in zip(*linear_sum_assignment(-overlap)):
            if overlap[r, c] > 0:
                mapping[gt_ids[r]] = pred_ids[c]
                idtp += int(overlap[r, c])
    num_gt = sum(len(f) for f in gt_frames)
    num_pred = sum(len(f) for f in pred_frames)

    def ratio(a, b):
        return a / b if b else float('nan')

    return dict(idtp=idtp, num_gt=num_gt, num_pred=num_pred,
                idf1=ratio(2 * idtp, num_gt + num_pred),
                idp=ratio(idtp, num_pred), idr=ratio(idtp, num_gt),
                mapping=mapping)


def gt_intervals(relation_frames: Sequence[set]) -> List[Dict]:
    """Contiguous runs of GT relations over the key frames.

    Args:
        relation_frames (Sequence[set]): Per key frame, the set of
            ``(subject id, group, predicate, object id)`` that hold.

    Returns:
        list[dict]: ``subject``, ``object``, ``group``, ``predicate``,
        ``start``, ``end`` (key-frame positions, inclusive).
    """
    open_runs: Dict[tuple, int] = {}
    out = []
    for pos, rels in enumerate(list(relation_frames) + [set()]):
        for key in [k for k in open_runs if k not in rels]:
            sub, group, predicate, obj = key
            out.append(dict(subject=sub, object=obj, group=group,
                            predicate=predicate, start=open_runs.pop(key),
                            end=pos - 1))
        for key in rels:
            open_runs.setdefault(key, pos)
    return out


def temporal_iou(a: Tuple[int, int], b: Tuple[int, int]) -> float:
    """IoU of two inclusive key-frame ranges ``(start, end)``."""
    inter = min(a[1], b[1]) - max(a[0], b[0]) + 1
    union = max(a[1], b[1]) - min(a[0], b[0]) + 1
    return max(0, inter) / union


def interval_recall(gt: Sequence[Dict], pred: Sequence[Dict],
                    mapping: Dict, t_iou: float = 0.5) -> Dict[str, int]:
    """Recalled GT relation intervals of one video (module doc).

    Args:
        gt (Sequence[dict]): From :func:`gt_intervals`.
        pred (Sequence[dict]): Predicted intervals with ``subject``,
            ``object`` (track ids), ``group``, ``predicate``, ``start``,
            ``end`` (positions) and ``score``.
        mapping (dict): GT id -> track id (:func:`id_f1`).
        t_iou (float): Minimum temporal IoU. Defaults to 0.5.

    Returns:
        dict: ``num_gt``, ``num_pred`` and ``hits`` (recalled GT
        intervals; each also one matched prediction).
    """
    used = [False] * len(gt)
    hits = 0
    for p in sorted(pred, key=lambda x: -x['score']):
        best, best_iou = -1, t_iou
        for k, g in enumerate(gt):
            if used[k] or g['group'] != p['group'] or \
                    g['predicate'] != p['predicate'] or \
                    mapping.get(g['subject']) != p['subject'] or \
                    mapping.get(g['object']) != p['object']:
                continue
            tiou = temporal_iou((g['start'], g['end']),
                                (p['start'], p['end']))
            if tiou >= best_iou:
                best, best_iou = k, tiou
        if best >= 0:
            used[best] = True
            hits += 1
    return dict(num_gt=len(gt), num_pred=len(pred), hits=hits)
