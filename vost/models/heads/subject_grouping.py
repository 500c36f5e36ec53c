"""Post-processing that does not assume one person per frame.

Every pair query regresses its own subject box. Action Genome frames have
one person, so the default post-processing merges all subject boxes into
one person (``person_box='weighted'`` or ``'best'``,
:mod:`.pair_post_processing`). With several people
(``person_box='per_subject'``, docs/model.md "Several people"):

- :func:`group_subjects`: the kept pairs' subject boxes are grouped
  greedily in pair-score order: a subject box joins the first group whose
  first (best-scored) box it overlaps with IoU >= ``subject_iou``, else it
  starts a new group. A group's person box is the pair-score weighted mean
  of its members (the ``'weighted'`` rule, per person).
- :func:`subject_aware_pair_nms`: pair NMS that removes a pair only when a
  better pair has the same object label, an object box IoU above
  ``iou_threshold`` *and* a subject box IoU above
  ``subject_iou_threshold``, so the same object related to two people
  keeps both pairs.
"""
import torch
from mmdet.structures.bbox import bbox_overlaps
from torch import Tensor

__all__ = ['group_subjects', 'subject_aware_pair_nms']


def group_subjects(sub_boxes: Tensor, pair_scores: Tensor,
                   subject_iou: float = 0.5) -> tuple:
    """Group the subject boxes of ranked pairs into people.

    Args:
        sub_boxes (Tensor): (K, 4) XYXY subject boxes, pairs best first.
        pair_scores (Tensor): (K,) pair scores (the weights).
        subject_iou (float): IoU with a group's first box to join it.

    Returns:
        tuple[Tensor, Tensor]: ``persons`` (P, 4) XYXY person boxes, in the
        order their groups start, and ``group`` (K,) int64, each pair's
        person index.
    """
    num = sub_boxes.size(0)
    group = torch.full((num, ), -1, dtype=torch.long,
                       device=sub_boxes.device)
    if num == 0:
        return sub_boxes.new_zeros((0, 4)), group
    ious = bbox_overlaps(sub_boxes.float(), sub_boxes.float()).tolist()
    seeds = []
    for k in range(num):
        for g, seed in enumerate(seeds):
            if ious[k][seed] >= subject_iou:
                group[k] = g
                break
        else:
            group[k] = len(seeds)
            seeds.append(k)
    weights = pair_scores.float().clamp(min=1e-6)
    onehot = torch.zeros(len(seeds), num, device=sub_boxes.device)
    onehot[group, torch.arange(num, device=sub_boxes.device)] = weights
    persons = (onehot @ sub_boxes.float()) / onehot.sum(1, keepdim=True)
    return persons.to(sub_boxes.dtype), group


def subject_aware_pair_nms(sub_boxes: Tensor, obj_boxes: Tensor,
                           scores: Tensor, labels: Tensor,
                           iou_threshold: float,
                           subject_iou_threshold: float) -> Tensor:
    """Pair NMS on both boxes of a pair (module doc).

    Args:
        sub_boxes, obj_boxes (Tensor): (N, 4) XYXY boxes of N pairs.
        scores (Tensor): (N,) pair scores. labels (Tensor): (N,) object
            labels.
        iou_threshold (float): Object box IoU above which a pair may be
            suppressed.
        subject_iou_threshold (float): Subject box IoU above which it is.

    Returns:
        Tensor: Indices of the kept pairs, best first.
    """
    order = scores.argsort(descending=True)
    sub, obj = sub_boxes[order].float(), obj_boxes[order].float()
    same = (labels[order][:, None] == labels[order][None]) & \
        (bbox_overlaps(obj, obj) > iou_threshold) & \
        (bbox_overlaps(sub, sub) > subject_iou_threshold)
    keep = torch.ones(len(order), dtype=torch.bool, device=scores.device)
    for i in range(len(order)):
        if keep[i]:
            later = same[i].clone()
            later[:i + 1] = False
            keep &= ~later
    return order[keep]
