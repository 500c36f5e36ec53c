"""Losses and training targets of :class:`~vost.models.heads.VOSTHead`
(the ``loss`` / ``loss_by_feat`` / ``get_targets`` part of mmdet's head
ladder), kept in their own file."""
from typing import Dict, List, Optional

import torch
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy
from mmdet.utils import reduce_mean
from mmengine.structures import InstanceData
from torch import Tensor

from vost.models.stage_outputs import DecoderOutputs, HeadOutputs, PairLogits
from vost.structures.ag_meta import PREDICATE_GROUP_NAMES as _GROUPS
from vost.structures.gt_pair_view import gt_pair_view
from .pair_targets import pair_targets

__all__ = ['VOSTHeadLossMixin']


class VOSTHeadLossMixin:
    """Losses of :class:`VOSTHead`: one Hungarian assignment per frame
    (final layers' predictions), shared by every decoder layer's losses.

    Uses the head's ``assigner``, ``loss_*`` modules, ``bg_cls_weight``,
    ``num_instance_layers`` / ``num_relation_layers``, ``task`` and its
    forward.
    """

    def loss(self,
             decoder_outs: DecoderOutputs,
             batch_data_samples: List,
             vlm_feats: Optional[dict] = None) -> Dict[str, Tensor]:
        """Forward the branches and compute the losses.

        Args:
            decoder_outs (DecoderOutputs): The decoder states and
                ``query_mask`` (B, Q) of the B frames that carry losses (the
                key frames).
            batch_data_samples (list[SGDataSample]): Their samples with
                ``gt_instances`` and ``gt_pairs``.
            vlm_feats (dict, optional): For the feature bank.

        Returns:
            dict[str, Tensor]: Losses.
        """
        batch_img_metas = [s.metainfo for s in batch_data_samples]
        outs = self(decoder_outs, batch_img_metas, vlm_feats)
        batch_gt_pairs = [
            gt_pair_view(s, 'VOSTHead') for s in batch_data_samples
        ]
        return self.loss_by_feat(
            outs,
            batch_gt_pairs=batch_gt_pairs,
            batch_img_metas=batch_img_metas,
            query_mask=decoder_outs.query_mask)

    def loss_by_feat(self,
                     head_outs: HeadOutputs,
                     batch_gt_pairs: List[InstanceData],
                     batch_img_metas: List[dict],
                     query_mask: Optional[Tensor] = None
                     ) -> Dict[str, Tensor]:
        """Losses of every layer with one shared assignment per frame.

        Args:
            head_outs (HeadOutputs): The head's outputs on the B frames.
            batch_gt_pairs (list[InstanceData]): See
                :func:`vost.structures.gt_pair_view`.
            batch_img_metas (list[dict]): Frame metas.
            query_mask (Tensor, optional): (B, Q) True at padded queries.

        Returns:
            dict[str, Tensor]: ``loss_cls``, ``loss_{sub,obj}_{bbox,iou}``
            (last instance layer), ``loss_{attention,spatial,contacting}``
            (last relation layer); auxiliary layers are prefixed ``d{i}.``
            (instance) and ``r{j}.`` (relation). PredCls has no class or
            box losses, SGCls no box losses.
        """
        all_cls_scores = head_outs.cls_scores
        targets = self.get_targets(head_outs.last(), batch_gt_pairs,
                                   batch_img_metas, query_mask)
        pos = targets['pos_mask'].flatten()
        num_pos = reduce_mean(all_cls_scores.new_tensor(float(pos.sum())))
        num_pos = num_pos.clamp(min=1).item()
        cls_avg = float(pos.sum()) + self.bg_cls_weight * float(
            targets['neg_mask'].sum())
        cls_avg = reduce_mean(all_cls_scores.new_tensor(cls_avg))
        cls_avg = cls_avg.clamp(min=1).item()

        losses = {}
        last_inst = self.num_instance_layers - 1
        for i in range(self.num_instance_layers):
            prefix = '' if i == last_inst else f'd{i}.'
            layer = self.loss_instance_single(
                all_cls_scores[i], head_outs.sub_boxes[i],
                head_outs.obj_boxes[i], targets, batch_img_metas, num_pos,
                cls_avg)
            losses.update({prefix + k: v for k, v in layer.items()})
        last_rel = self.num_relation_layers - 1
        for j in range(self.num_relation_layers):
            prefix = '' if j == last_rel else f'r{j}.'
            layer = self.loss_relation_single(head_outs.attention[j],
                                              head_outs.spatial[j],
                                              head_outs.contacting[j],
                                              targets, num_pos)
            losses.update({prefix + k: v for k, v in layer.items()})
        return losses

    def loss_instance_single(self, cls_scores: Tensor, sub_boxes: Tensor,
                             obj_boxes: Tensor, targets: dict,
                             batch_img_metas: List[dict], num_pos: float,
                             cls_avg: float) -> dict:
        """Class and pair-box losses of one instance-decoder layer.

        Args:
            cls_scores (Tensor): (B, Q, 37). sub_boxes, obj_boxes (Tensor):
                (B, Q, 4) normalised cxcywh.
            targets (dict): From :meth:`get_targets`.
            batch_img_metas (list[dict]): ``img_shape`` per frame.
            num_pos (float): Matched pairs, averaged across ranks.
            cls_avg (float): Class-loss normaliser.

        Returns:
            dict[str, Tensor]: This layer's losses.
        """
        losses = {}
        if self.task != 'predcls':
            losses['loss_cls'] = self.loss_cls(
                cls_scores.flatten(0, 1),
                targets['labels'].flatten(),
                targets['label_weights'].flatten(),
                avg_factor=cls_avg)
        if self.task != 'sgdet':
            return losses
        pos = targets['pos_mask']
        factors = torch.stack([
            cls_scores.new_tensor([m['img_shape'][1], m['img_shape'][0]] * 2)
            for m in batch_img_metas
        ])[:, None].expand_as(sub_boxes)
        for name, pred in (('sub', sub_boxes), ('obj', obj_boxes)):
            target = targets[f'{name}_targets']
            if not pos.any():
                losses[f'loss_{name}_bbox'] = pred.sum() * 0
                losses[f'loss_{name}_iou'] = pred.sum() * 0
                continue
            losses[f'loss_{name}_bbox'] = self.loss_bbox(
                pred[pos], target[pos], avg_factor=num_pos)
            losses[f'loss_{name}_iou'] = self.loss_iou(
                bbox_cxcywh_to_xyxy(pred[pos]) * factors[pos],
                bbox_cxcywh_to_xyxy(target[pos]) * factors[pos],
                avg_factor=num_pos)
        return losses

    def loss_relation_single(self, attention: Tensor, spatial: Tensor,
                             contacting: Tensor, targets: dict,
                             num_pos: float) -> dict:
        """Predicate losses of one relation-decoder layer, matched pairs
        only.

        Args:
            attention (Tensor): (B, Q, 3); spatial (B, Q, 6); contacting
                (B, Q, 17) logits.
            targets (dict): From :meth:`get_targets`.
            num_pos (float): Matched pairs, averaged across ranks.

        Returns:
            dict[str, Tensor]: ``loss_attention``, ``loss_spatial``,
            ``loss_contacting``.
        """
        pos = targets['pos_mask']
        losses = {}
        for group, pred in zip(_GROUPS, (attention, spatial, contacting)):
            if not pos.any():
                losses[f'loss_{group}'] = pred.sum() * 0
                continue
            loss_fn = getattr(self, f'loss_{group}')
            losses[f'loss_{group}'] = loss_fn(
                pred[pos], targets[f'{group}_targets'][pos],
                avg_factor=num_pos)
        return losses

    def get_targets(self, last: PairLogits,
                    batch_gt_pairs: List[InstanceData],
                    batch_img_metas: List[dict],
                    query_mask: Optional[Tensor] = None) -> dict:
        """Assign queries to GT pairs frame by frame and stack targets.

        Args:
            last (PairLogits): (B, Q, ...) final-layer outputs.
            batch_gt_pairs (list[InstanceData]): See
                :func:`vost.structures.gt_pair_view`.
            batch_img_metas (list[dict]): Frame metas.
            query_mask (Tensor, optional): (B, Q) True at padded queries.

        Returns:
            dict[str, Tensor]: (B, Q, ...) targets, see :func:`pair_targets`.
        """
        if query_mask is None:
            query_mask = last.cls_scores.new_zeros(
                last.cls_scores.shape[:2], dtype=torch.bool)
        per_frame = [
            self._get_targets_single(last.frame(b), gt_pairs, img_meta,
                                     query_mask[b])
            for b, (gt_pairs, img_meta) in enumerate(
                zip(batch_gt_pairs, batch_img_metas))
        ]
        return {k: torch.stack([t[k] for t in per_frame])
                for k in per_frame[0]}

    def _get_targets_single(self, logits: PairLogits, gt_pairs: InstanceData,
                            img_meta: dict, query_mask: Tensor) -> dict:
        """Targets of one frame from its (Q, ...) final-layer outputs; see
        :meth:`get_targets`."""
        num_queries = logits.cls_scores.size(0)
        num_gts = len(gt_pairs)
        device = logits.cls_scores.device
        if self.task != 'sgdet':
            gt_inds = torch.zeros(num_queries, dtype=torch.long,
                                  device=device)
            gt_inds[:num_gts] = torch.arange(num_gts, device=device) + 1
        else:
            if self.assigner is None:
                raise RuntimeError('VOSTHead: train_cfg.assigner is needed '
                                   'for SGDet losses')
            img_h, img_w = img_meta['img_shape'][:2]
            factor = logits.cls_scores.new_tensor([img_w, img_h, img_w, img_h])
            pred = InstanceData(
                scores=logits.cls_scores,
                sub_bboxes=bbox_cxcywh_to_xyxy(logits.sub_boxes) * factor,
                obj_bboxes=bbox_cxcywh_to_xyxy(logits.obj_boxes) * factor,
                attention_logits=logits.attention,
                spatial_logits=logits.spatial,
                contacting_logits=logits.contacting)
            gt_inds = self.assigner.assign(pred, gt_pairs,
                                           img_meta).gt_inds
            gt_inds = gt_inds.masked_fill(query_mask, 0)
        return pair_targets(gt_inds, gt_pairs, img_meta, query_mask,
                            logits.spatial, logits.contacting, self.task)
