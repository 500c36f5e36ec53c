"""Turn a frame's pair predictions (or GT) into ranked, readable triplets.

Used by the visualizer, the visualization hook and the video demo. The
ranking follows the evaluation protocol's *semi constraint* reading of a
pair: the arg-max attention predicate, and every spatial / contacting
predicate whose probability passes ``multi_label_thr``; a triplet's score
is ``subject score * object score * predicate probability``.
"""
from typing import Dict, List

import numpy as np
import torch

from vost.structures.ag_meta import (ATTENTION_PREDICATES,
                                     CONTACTING_PREDICATES,
                                     SPATIAL_PREDICATES, class_name)

__all__ = [
    'pair_predictions_to_triplets', 'gt_pairs_to_triplets', 'triplet_text',
    'class_name', 'to_numpy'
]


def to_numpy(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def _field(obj, key: str):
    return obj[key] if isinstance(obj, dict) else getattr(obj, key)


def pair_predictions_to_triplets(pred_instances,
                                 pred_pairs,
                                 top_k: int = 10,
                                 multi_label_thr: float = 0.5,
                                 score_thr: float = 0.0) -> List[Dict]:
    """Rank the triplets of one frame's predictions.

    Args:
        pred_instances: Object with ``bboxes`` (B, 4), ``labels`` (B,) and
            ``scores`` (B,) (InstanceData or dict).
        pred_pairs: Object with ``pair_inds`` (R, 2), ``attention_scores``
            (R, 3), ``spatial_scores`` (R, 6), ``contacting_scores``
            (R, 17).
        top_k (int): Number of triplets to return. Defaults to 10.
        multi_label_thr (float): Minimum probability of a spatial or
            contacting predicate. Defaults to 0.5.
        score_thr (float): Minimum triplet score. Defaults to 0.

    Returns:
        list[dict]: Triplets by decreasing score, each with ``subject``,
        ``object`` (instance indices), ``subject_label``/``object_label``
        (names), ``predicate`` (name), ``group`` and ``score``. Spatial
        triplets read ``<object, predicate, person>`` in the protocol; the
        ``subject``/``object`` fields here keep the pair's order and
        ``group`` tells the direction.
    """
    labels = to_numpy(_field(pred_instances, 'labels'))
    scores = to_numpy(_field(pred_instances, 'scores'))
    pair_inds = to_numpy(_field(pred_pairs, 'pair_inds')).reshape(-1, 2)
    groups = [
        ('attention', ATTENTION_PREDICATES,
         to_numpy(_field(pred_pairs, 'attention_scores'))),
        ('spatial', SPATIAL_PREDICATES,
         to_numpy(_field(pred_pairs, 'spatial_scores'))),
        ('contacting', CONTACTING_PREDICATES,
         to_numpy(_field(pred_pairs, 'contacting_scores'))),
    ]
    triplets = []
    for r, (s, o) in enumerate(pair_inds):
        pair_score = float(scores[s]) * float(scores[o])
        for group, names, probs in groups:
            row = probs[r]
            if group == 'attention':
                picks = [int(np.argmax(row))]
            else:
                picks = np.flatnonzero(row >= multi_label_thr).tolist()
            for p in picks:
                score = pair_score * float(row[p])
                if score < score_thr:
                    continue
                triplets.append(
                    dict(
                        subject=int(s),
                        object=int(o),
                        subject_label=class_name(labels[s]),
                        object_label=class_name(labels[o]),
                        predicate=names[p],
                        group=group,
                        score=score))
    triplets.sort(key=lambda t: -t['score'])
    return triplets[:top_k]


def gt_pairs_to_triplets(gt_instances, gt_pairs) -> List[Dict]:
    """List the GT triplets of a frame (every label of every pair).

    Args:
        gt_instances: Object with ``labels`` (N,).
        gt_pairs: Object with ``pair_inds`` (R, 2), ``attention`` (R,),
            ``spatial`` (R, 6) and ``contacting`` (R, 17) multi-hot.

    Returns:
        list[dict]: Triplets as in :func:`pair_predictions_to_triplets`,
        with ``score`` 1.
    """
    labels = to_numpy(gt_instances.labels)
    pair_inds = to_numpy(gt_pairs.pair_inds).reshape(-1, 2)
    attention = to_numpy(gt_pairs.attention).reshape(-1)
    multi = [
        ('spatial', SPATIAL_PREDICATES, to_numpy(gt_pairs.spatial)),
        ('contacting', CONTACTING_PREDICATES, to_numpy(gt_pairs.contacting)),
    ]
    triplets = []
    for r, (s, o) in enumerate(pair_inds):
        base = dict(
            subject=int(s),
            object=int(o),
            subject_label=class_name(labels[s]),
            object_label=class_name(labels[o]),
            score=1.0)
        triplets.append(
            dict(base, predicate=ATTENTION_PREDICATES[int(attention[r])],
                 group='attention'))
        for group, names, hot in multi:
            for p in np.flatnonzero(hot[r] > 0):
                triplets.append(dict(base, predicate=names[p], group=group))
    return triplets


def triplet_text(triplet: Dict, with_score: bool = True) -> str:
    """Format a triplet in the protocol's direction.

    Args:
        triplet (dict): A triplet from this module.
        with_score (bool): Append the score. Defaults to True.

    Returns:
        str: E.g. ``'person holding cup/glass/bottle 0.91'`` or, for spatial
        predicates, ``'cup/glass/bottle in_front_of person 0.80'``.
    """
    if triplet['group'] == 'spatial':
        text = (f"{triplet['object_label']} {triplet['predicate']} "
                f"{triplet['subject_label']}")
    else:
        text = (f"{triplet['subject_label']} {triplet['predicate']} "
                f"{triplet['object_label']}")
    if with_score:
        text += f" {triplet['score']:.2f}"
    return text


