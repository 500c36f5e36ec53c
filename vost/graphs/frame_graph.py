"""One frame's scene graph: one node per object, predicates per edge.

The model's prediction contract (``pred_instances`` / ``pred_pairs``, what
the recall metric ranks) has one row per pair query, so several queries
that found the same drawn object give several instances of it. The graph
built here is separate from that ranked list (which stays as it is) and is
what a person or a downstream program reads:

1. **Nodes.** Instances with ``score >= node_score_thr`` are visited by
   decreasing score (the first of equal scores first); an instance joins
   the node of the *same label* whose box overlaps it most, if that IoU is
   ``>= node_iou_thr``, else it starts a new node. A node keeps the box and
   score of its best (first) instance and lists the instances it merged
   (``members``). Every subject (person) instance goes through the same
   rule, so several people stay separate subject nodes.
2. **Edges.** Each pair whose two instances are nodes votes for the edge
   (subject node, object node). The edge's predicate probabilities are the
   pair-score weighted mean of its pairs' probabilities
   (``edge_reduce='weighted_mean'``) or their element-wise maximum
   (``'max'``). Attention is one label (the arg-max); spatial and
   contacting are multi-label, every predicate with probability
   ``>= multi_label_thr``. An edge's ``score`` is subject score x object
   score x its highest predicate probability; edges are listed by
   decreasing score.

Node ids are 0..N-1: subjects (persons) first, then objects, each by
decreasing score.
"""
from typing import Dict, List, Optional

import numpy as np
import torch
from mmdet.structures.bbox import bbox_overlaps

from vost.structures.ag_meta import (PERSON_LABEL, PREDICATE_GROUPS,
                                     class_name)

__all__ = ['FrameGraphBuilder']

_GROUP_FIELDS = (('attention', 'attention_scores'),
                 ('spatial', 'spatial_scores'),
                 ('contacting', 'contacting_scores'))


def _numpy(obj, key: str) -> np.ndarray:
    value = obj[key] if isinstance(obj, dict) else getattr(obj, key)
    if isinstance(value, torch.Tensor):
        value = value.detach().float().cpu().numpy() \
            if value.is_floating_point() else value.detach().cpu().numpy()
    return np.asarray(value)


class FrameGraphBuilder:
    """Build one frame's scene graph from its pair predictions.

    Args:
        node_iou_thr (float): Minimum IoU for an instance to join a node of
            its label. Defaults to 0.5, the IoU at which
            the evaluation protocol calls two boxes the same object.
        node_score_thr (float): Minimum instance score of a node. Defaults
            to 0.3.
        multi_label_thr (float): Minimum probability of a spatial or
            contacting predicate on an edge. Defaults to 0.5.
        edge_reduce (str): ``'weighted_mean'`` or ``'max'`` (module doc).
            Defaults to ``'weighted_mean'``.
        edge_score_thr (float): Minimum edge score. Defaults to 0.
    """

    def __init__(self,
                 node_iou_thr: float = 0.5,
                 node_score_thr: float = 0.3,
                 multi_label_thr: float = 0.5,
                 edge_reduce: str = 'weighted_mean',
                 edge_score_thr: float = 0.0) -> None:
        if edge_reduce not in ('weighted_mean', 'max'):
            raise ValueError("edge_reduce must be 'weighted_mean' or 'max', "
                             f'got {edge_reduce!r}')
        if not 0.0 < node_iou_thr <= 1.0:
            raise ValueError(
                f'node_iou_thr must be in (0, 1], got {node_iou_thr}')
        self.node_iou_thr = node_iou_thr
        self.node_score_thr = node_score_thr
        self.multi_label_thr = multi_label_thr
        self.edge_reduce = edge_reduce
        self.edge_score_thr = edge_score_thr

    @property
    def settings(self) -> Dict:
        """dict: The builder's arguments (written into the outputs)."""
        return dict(
            node_iou_thr=self.node_iou_thr,
            node_score_thr=self.node_score_thr,
            multi_label_thr=self.multi_label_thr,
            edge_reduce=self.edge_reduce,
            edge_score_thr=self.edge_score_thr)

    def cluster(self, bboxes: np.ndarray, labels: np.ndarray,
                scores: np.ndarray) -> np.ndarray:
        """Node of every instance (rule 1 of the module doc).

        Args:
            bboxes (np.ndarray): (B, 4) XYXY boxes.
            labels (np.ndarray): (B,) object ids.
            scores (np.ndarray): (B,) scores.

        Returns:
            np.ndarray: (B,) int64 index of the instance's cluster leader
            (an instance index), -1 for instances below the score
            threshold.
        """
        num = len(labels)
        leader = np.full(num, -1, dtype=np.int64)
        if num == 0:
            return leader
        ious = bbox_overlaps(
            torch.as_tensor(bboxes, dtype=torch.float32).reshape(-1, 4),
            torch.as_tensor(bboxes, dtype=torch.float32).reshape(-1, 4),
        ).numpy()
        leaders: List[int] = []
        for i in np.argsort(-scores, kind='stable'):
            if scores[i] < self.node_score_thr:
                continue
            best, best_iou = -1, self.node_iou_thr
            for j in leaders:
                if labels[j] == labels[i] and ious[i, j] >= best_iou:
                    best, best_iou = j, ious[i, j]
            if best < 0:
                leaders.append(int(i))
                best = int(i)
            leader[i] = best
        return leader

    def __call__(self,
                 pred_instances,
                 pred_pairs,
                 meta: Optional[Dict] = None) -> Dict:
        """Build the graph of one frame.

        Args:
            pred_instances: ``bboxes`` (B, 4) XYXY, ``labels`` (B,) object
                ids, ``scores`` (B,) (InstanceData or dict; tensors or
                arrays).
            pred_pairs: ``pair_inds`` (R, 2) (subject, object) instance
                indices and the probabilities ``attention_scores`` (R, 3),
                ``spatial_scores`` (R, 6), ``contacting_scores`` (R, 17);
                ``scores`` (R,) ranking scores if present (else subject x
                object score).
            meta (dict, optional): Frame fields copied into the graph
                (e.g. ``frame_key``, ``frame_index``, ``img_path``).

        Returns:
            dict: ``nodes`` (``id``, ``label``, ``label_name``, ``bbox``,
            ``score``, ``members``) and ``edges`` (``subject``,
            ``object`` node ids, ``score``, ``attention`` (one
            ``{predicate, score}``), ``spatial`` and ``contacting`` (lists
            of ``{predicate, score}``), ``pairs``), plus ``meta``'s fields.
        """
        bboxes = _numpy(pred_instances, 'bboxes').reshape(-1, 4)
        labels = _numpy(pred_instances, 'labels').reshape(-1).astype(int)
        scores = _numpy(pred_instances, 'scores').reshape(-1)
        leader = self.cluster(bboxes, labels, scores)
        lead_ids = sorted(set(leader[leader >= 0].tolist()),
                          key=lambda j: (labels[j] != PERSON_LABEL,
                                         -scores[j], j))
        node_of = {j: n for n, j in enumerate(lead_ids)}
        nodes = [
            dict(
                id=n,
                label=int(labels[j]),
                label_name=class_name(labels[j]),
                bbox=[round(float(v), 2) for v in bboxes[j]],
                score=round(float(scores[j]), 4),
                members=np.flatnonzero(leader == j).tolist())
            for n, j in enumerate(lead_ids)
        ]
        edges = self._edges(pred_pairs, leader, node_of, scores)
        graph = dict(meta or {})
        graph.update(nodes=nodes, edges=edges)
        return graph

    def _edges(self, pred_pairs, leader: np.ndarray, node_of: Dict,
               scores: np.ndarray) -> List[Dict]:
        pair_inds = _numpy(pred_pairs, 'pair_inds').reshape(-1, 2)
        probs = {
            group: _numpy(pred_pairs, field).reshape(len(pair_inds), -1)
            for group, field in _GROUP_FIELDS
        }
        if 'scores' in pred_pairs:
            pair_scores = _numpy(pred_pairs, 'scores').reshape(-1)
        else:
            pair_scores = scores[pair_inds[:, 0]] * scores[pair_inds[:, 1]]
        votes: Dict[tuple, List[int]] = {}
        for r, (s, o) in enumerate(pair_inds):
            if leader[s] < 0 or leader[o] < 0:
                continue
            key = (node_of[leader[s]], node_of[leader[o]])
            if key[0] != key[1]:
                votes.setdefault(key, []).append(r)
        node_scores = {node_of[j]: float(scores[j]) for j in node_of}
        edges = []
        for (ns, no), rows in votes.items():
            weights = np.clip(pair_scores[rows], 1e-6, None)
            reduced = {}
            for group in probs:
                p = probs[group][rows]
                reduced[group] = p.max(0) if self.edge_reduce == 'max' \
                    else (p * weights[:, None]).sum(0) / weights.sum()
            edge = self._edge(ns, no, reduced, rows)
            edge['score'] = round(
                node_scores[ns] * node_scores[no] * edge.pop('_best'), 4)
            if edge['score'] >= self.edge_score_thr:
                edges.append(edge)
        edges.sort(key=lambda e: (-e['score'], e['subject'], e['object']))
        return edges

    def _edge(self, ns: int, no: int, reduced: Dict,
              rows: List[int]) -> Dict:
        att = reduced['attention']
        k = int(np.argmax(att))
        edge = dict(
            subject=ns,
            object=no,
            attention=dict(
                predicate=PREDICATE_GROUPS['attention'][k],
                score=round(float(att[k]), 4)))
        best = float(att[k])
        for group in ('spatial', 'contacting'):
            p = reduced[group]
            picks = [int(i) for i in np.argsort(-p, kind='stable')
                     if p[i] >= self.multi_label_thr]
            edge[group] = [
                dict(predicate=PREDICATE_GROUPS[group][i],
                     score=round(float(p[i]), 4)) for i in picks
            ]
            if len(p):
                best = max(best, float(p.max()))
        edge['pairs'] = [int(r) for r in rows]
        edge['_best'] = best
        return edge
