"""Set loss of the encoder proposals that the dual-source generator selects
(the two-stage DETR encoder loss, against each frame's GT instances)."""
import copy

import torch
import torch.nn as nn
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy, bbox_xyxy_to_cxcywh
from mmdet.utils import reduce_mean
from mmengine.structures import InstanceData
from torch import Tensor

from vost.registry import MODELS, TASK_UTILS
from vost.structures.ag_meta import NUM_OBJECT_CLASSES

__all__ = ['ProposalSetLoss']


class ProposalSetLoss(nn.Module):
    """Hungarian-matched classification and box losses of proposals.

    Each frame's K proposals are matched one-to-one to its GT instances
    (person and objects) by ``assigner``; matched proposals learn the GT
    class and box, the others the background class (column
    ``NUM_OBJECT_CLASSES`` of the sigmoid targets, i.e. all zeros). The
    averaging factor is the number of matched proposals over all ranks.

    Args:
        assigner (dict): A TASK_UTILS assigner; its costs see ``scores``
            (K, 36) logits and unnormalised XYXY ``bboxes``.
        loss_cls (dict): Classification loss over the 36 AG classes
            (column k - 1 is AG id k).
        loss_bbox (dict): Box regression loss on normalised cxcywh.
        loss_iou (dict): IoU loss on normalised XYXY.
    """

    def __init__(self, assigner: dict, loss_cls: dict, loss_bbox: dict,
                 loss_iou: dict) -> None:
        super().__init__()
        self.assigner = TASK_UTILS.build(copy.deepcopy(assigner))
        self.loss_cls = MODELS.build(loss_cls)
        self.loss_bbox = MODELS.build(loss_bbox)
        self.loss_iou = MODELS.build(loss_iou)

    def _targets(self, cls_score: Tensor, box: Tensor, sample) -> tuple:
        """Labels (K,), box targets (K, 4) and the matched mask (K,) of one
        frame's proposals."""
        img_h, img_w = sample.metainfo['img_shape'][:2]
        factor = box.new_tensor([img_w, img_h, img_w, img_h])
        gt = sample.gt_instances
        gt_labels = gt.labels.long() - 1  # AG id k -> column k - 1
        pred = InstanceData(
            scores=cls_score.detach(),
            bboxes=bbox_cxcywh_to_xyxy(box.detach()) * factor)
        assign = self.assigner.assign(
            pred, InstanceData(bboxes=gt.bboxes, labels=gt_labels),
            img_meta=sample.metainfo)
        pos = assign.gt_inds > 0
        label = torch.full_like(assign.gt_inds, NUM_OBJECT_CLASSES)
        label[pos] = gt_labels[assign.gt_inds[pos] - 1]
        target = box.new_zeros(box.shape)
        target[pos] = bbox_xyxy_to_cxcywh(
            gt.bboxes[assign.gt_inds[pos] - 1].to(box) / factor)
        return label, target, pos

    def forward(self, cls_scores: Tensor, boxes: Tensor,
                batch_data_samples: list) -> dict:
        """The losses of a batch of selected proposals.

        Args:
            cls_scores (Tensor): (B, K, 36) logits.
            boxes (Tensor): (B, K, 4) normalised cxcywh.
            batch_data_samples (list): B samples with ``gt_instances`` and
                ``img_shape`` metainfo.

        Returns:
            dict[str, Tensor]: ``enc_loss_cls``, ``enc_loss_bbox``,
            ``enc_loss_iou``.
        """
        labels, box_targets, pos_masks = [], [], []
        for cls_score, box, sample in zip(cls_scores, boxes,
                                          batch_data_samples):
            label, target, pos = self._targets(cls_score, box, sample)
            labels.append(label)
            box_targets.append(target)
            pos_masks.append(pos)
        labels = torch.cat(labels)
        label_weights = torch.ones_like(labels, dtype=boxes.dtype)
        box_targets, pos = torch.cat(box_targets), torch.cat(pos_masks)
        num_pos = reduce_mean(cls_scores.new_tensor(float(pos.sum())))
        num_pos = num_pos.clamp(min=1).item()
        loss_cls = self.loss_cls(
            cls_scores.flatten(0, 1), labels, label_weights,
            avg_factor=num_pos)
        pred = boxes.flatten(0, 1)[pos]
        target = box_targets[pos]
        loss_bbox = self.loss_bbox(pred, target, avg_factor=num_pos)
        loss_iou = self.loss_iou(
            bbox_cxcywh_to_xyxy(pred), bbox_cxcywh_to_xyxy(target),
            avg_factor=num_pos)
        return dict(
            enc_loss_cls=loss_cls,
            enc_loss_bbox=loss_bbox,
            enc_loss_iou=loss_iou)
