"""Per-query training targets of one frame."""
import torch
from mmdet.structures.bbox import bbox_xyxy_to_cxcywh
from mmengine.structures import InstanceData
from torch import Tensor

__all__ = ['pair_targets']


def pair_targets(gt_inds: Tensor, gt_pairs: InstanceData, img_meta: dict,
                 query_mask: Tensor, spatial: Tensor, contacting: Tensor,
                 task: str = 'sgdet') -> dict:
    """Per-query targets of one frame from its assignment.

    Args:
        gt_inds (Tensor): (Q,) 0 = unassigned, ``i + 1`` = GT pair ``i``.
        gt_pairs (InstanceData): See :func:`vost.structures.gt_pair_view`.
        img_meta (dict): ``img_shape`` normalises the box targets.
        query_mask (Tensor): (Q,) True at padded queries.
        spatial, contacting (Tensor): (Q, 6) / (Q, 17) predictions (dtype
            and shape of the multi-hot targets).
        task (str): ``'sgdet'`` (unassigned valid queries are no-object
            negatives), ``'sgcls'`` or ``'predcls'`` (no negatives).

    Returns:
        dict[str, Tensor]: ``labels`` (Q,) AG ids (0 = no-object),
        ``label_weights`` (Q,), ``sub_targets`` / ``obj_targets`` (Q, 4)
        normalised cxcywh, ``attention_targets`` (Q,), ``spatial_targets``
        (Q, 6), ``contacting_targets`` (Q, 17), ``pos_mask`` (Q,),
        ``neg_mask`` (Q,).
    """
    num_queries = gt_inds.numel()
    pos = gt_inds > 0
    assigned = gt_inds[pos] - 1
    neg = ~query_mask & ~pos if task == 'sgdet' else \
        torch.zeros_like(pos)
    labels = gt_inds.new_zeros(num_queries)
    labels[pos] = gt_pairs.labels[assigned]
    label_weights = (pos | neg).to(spatial.dtype)
    img_h, img_w = img_meta['img_shape'][:2]
    factor = spatial.new_tensor([img_w, img_h, img_w, img_h])
    box_targets = {}
    for name in ('sub', 'obj'):
        target = spatial.new_zeros(num_queries, 4)
        target[pos] = bbox_xyxy_to_cxcywh(
            gt_pairs.get(f'{name}_bboxes')[assigned].to(spatial.dtype) /
            factor)
        box_targets[f'{name}_targets'] = target
    attention_t = gt_inds.new_zeros(num_queries)
    attention_t[pos] = gt_pairs.attention[assigned]
    spatial_t = spatial.new_zeros(spatial.shape)
    spatial_t[pos] = gt_pairs.spatial[assigned].to(spatial.dtype)
    contacting_t = contacting.new_zeros(contacting.shape)
    contacting_t[pos] = gt_pairs.contacting[assigned].to(contacting.dtype)
    return dict(labels=labels, label_weights=label_weights, **box_targets,
                attention_targets=attention_t, spatial_targets=spatial_t,
                contacting_targets=contacting_t, pos_mask=pos, neg_mask=neg)
