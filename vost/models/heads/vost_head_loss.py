"""Losses and training targets of :class:`~vost.models.heads.VOSTHead`
(the ``loss`` / ``loss_by_feat`` / ``get_targets`` part of mmdet's head
ladder), kept in their own file."""
from typing import Dict, List, Optional

import torch
from mmdet.models.utils import multi_apply
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy
from mmdet.utils import reduce_mean
from mmengine.structures import InstanceData
from torch import Tensor

from vost.structures.ag_meta import PREDICATE_GROUP_NAMES as _GROUPS
from vost.structures.gt_pair_view import gt_pair_view
from .pair_targets import pair_targets

__all__ = ['VOSTHeadLossMixin']


class VOSTHeadLossMixin:
    """Losses of :class:`VOSTHead`: one Hungarian assignment per frame
    (final layers' predictions), shared by every decoder layer's losses.

    Uses the head's ``assigner``, ``loss_*`` modules, ``bg_cls_weight``,
    ``num_instance_layers`` / ``num_relation_layers``, ``gt_pairs_mode``
    (from its ``task``) and its forward.
    """

    def loss(self,
             decoder_outs: dict,
             batch_data_samples: List,
             vlm_feats: Optional[dict] = None) -> Dict[str, Tensor]:
        """Forward the branches and compute the losses.

        Args:
            decoder_outs (dict): ``inst_hidden``, ``references``,
                ``rel_hidden`` and optional ``query_mask`` (B, Q) of the
                B frames that carry losses (the key frames).
            batch_data_samples (list[SGDataSample]): Their samples with
                ``gt_instances`` and ``gt_pairs``.
            vlm_feats (dict, optional): For the feature bank.

        Returns:
            dict[str, Tensor]: Losses.
        """
        batch_img_metas = [s.metainfo for s in batch_data_samples]
        outs = self.forward_decoder_outs(decoder_outs, batch_img_metas,
                                         vlm_feats)
        batch_gt_pairs = [
            gt_pair_view(s, 'VOSTHead') for s in batch_data_samples
        ]
        return self.loss_by_feat(
            *outs,
            batch_gt_pairs=batch_gt_pairs,
            batch_img_metas=batch_img_metas,
            query_mask=decoder_outs.get('query_mask'))

    def loss_by_feat(self,
                     all_cls_scores: Tensor,
                     all_sub_boxes: Tensor,
                     all_obj_boxes: Tensor,
                     all_attention: Tensor,
                     all_spatial: Tensor,
                     all_contacting: Tensor,
                     batch_gt_pairs: List[InstanceData],
                     batch_img_metas: List[dict],
                     query_mask: Optional[Tensor] = None
                     ) -> Dict[str, Tensor]:
        """Losses of every layer with one shared assignment per frame.

        Keys: ``loss_cls``, ``loss_{sub,obj}_{bbox,iou}`` (last instance
        layer), ``loss_{attention,spatial,contacting}`` (last relation
        layer); auxiliary layers are prefixed ``d{i}.`` (instance) and
        ``r{j}.`` (relation). PredCls has no class or box losses, SGCls no
        box losses.
        """
        targets = self.get_targets(all_cls_scores[-1], all_sub_boxes[-1],
                                   all_obj_boxes[-1], all_attention[-1],
                                   all_spatial[-1], all_contacting[-1],
                                   batch_gt_pairs, batch_img_metas,
                                   query_mask)
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
                all_cls_scores[i], all_sub_boxes[i], all_obj_boxes[i],
                targets, batch_img_metas, num_pos, cls_avg)
            losses.update({prefix + k: v for k, v in layer.items()})
        last_rel = self.num_relation_layers - 1
        for j in range(self.num_relation_layers):
            prefix = '' if j == last_rel else f'r{j}.'
            layer = self.loss_relation_single(all_attention[j],
                                              all_spatial[j],
                                              all_contacting[j], targets,
                                              num_pos)
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
        gt_pairs_mode = self.gt_pairs_mode
        if gt_pairs_mode != 'predcls':
            losses['loss_cls'] = self.loss_cls(
                cls_scores.flatten(0, 1),
                targets['labels'].flatten(),
                targets['label_weights'].flatten(),
                avg_factor=cls_avg)
        if gt_pairs_mode is not None:
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

    def get_targets(self, cls_scores: Tensor, sub_boxes: Tensor,
                    obj_boxes: Tensor, attention: Tensor, spatial: Tensor,
                    contacting: Tensor, batch_gt_pairs: List[InstanceData],
                    batch_img_metas: List[dict],
                    query_mask: Optional[Tensor] = None) -> dict:
        """Assign queries to GT pairs frame by frame and stack targets.

        Args:
            cls_scores (Tensor): (B, Q, 37) final-layer logits; the other
                predictions are the final layer's, (B, Q, ...).
            batch_gt_pairs (list[InstanceData]): See
                :func:`vost.structures.gt_pair_view`.
            batch_img_metas (list[dict]): Frame metas.
            query_mask (Tensor, optional): (B, Q) True at padded queries.

        Returns:
            dict[str, Tensor]: (B, Q, ...) ``labels``, ``label_weights``,
            ``sub_targets`` / ``obj_targets`` (normalised cxcywh),
            ``attention_targets``, ``spatial_targets``,
            ``contacting_targets``, ``pos_mask``, ``neg_mask``.
        """
        if query_mask is None:
            query_mask = cls_scores.new_zeros(cls_scores.shape[:2],
                                              dtype=torch.bool)
        results = multi_apply(self._get_targets_single, cls_scores,
                              sub_boxes, obj_boxes, attention, spatial,
                              contacting, batch_gt_pairs, batch_img_metas,
                              query_mask)
        keys = ('labels', 'label_weights', 'sub_targets', 'obj_targets',
                'attention_targets', 'spatial_targets', 'contacting_targets',
                'pos_mask', 'neg_mask')
        return {k: torch.stack(v) for k, v in zip(keys, results)}

    def _get_targets_single(self, cls_score: Tensor, sub_box: Tensor,
                            obj_box: Tensor, attention: Tensor,
                            spatial: Tensor, contacting: Tensor,
                            gt_pairs: InstanceData, img_meta: dict,
                            query_mask: Tensor) -> tuple:
        """Targets of one frame; see :meth:`get_targets`."""
        num_queries = cls_score.size(0)
        num_gts = len(gt_pairs)
        device = cls_score.device
        if self.gt_pairs_mode is not None:
            gt_inds = torch.zeros(num_queries, dtype=torch.long,
                                  device=device)
            gt_inds[:num_gts] = torch.arange(num_gts, device=device) + 1
        else:
            if self.assigner is None:
                raise RuntimeError('VOSTHead: train_cfg.assigner is needed '
                                   'for SGDet losses')
            img_h, img_w = img_meta['img_shape'][:2]
            factor = cls_score.new_tensor([img_w, img_h, img_w, img_h])
            pred = InstanceData(
                scores=cls_score,
                sub_bboxes=bbox_cxcywh_to_xyxy(sub_box) * factor,
                obj_bboxes=bbox_cxcywh_to_xyxy(obj_box) * factor,
                attention_logits=attention,
                spatial_logits=spatial,
                contacting_logits=contacting)
            gt_inds = self.assigner.assign(pred, gt_pairs,
                                           img_meta).gt_inds
            gt_inds = gt_inds.masked_fill(query_mask, 0)
        return pair_targets(gt_inds, gt_pairs, img_meta, query_mask,
                            spatial, contacting, self.gt_pairs_mode)
