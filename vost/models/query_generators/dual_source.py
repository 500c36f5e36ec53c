"""Dual-source pair queries: *what* from VLM text, *where* from proposals."""
import copy
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import Linear
from mmdet.models.layers import MLP
from mmdet.models.layers.transformer.utils import inverse_sigmoid
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy, bbox_xyxy_to_cxcywh
from mmdet.utils import reduce_mean
from mmengine.structures import InstanceData
from torch import Tensor

from vost.registry import MODELS, TASK_UTILS
from vost.structures.ag_meta import NUM_OBJECT_CLASSES as _NUM_CLASSES
from vost.structures.ag_meta import PERSON_LABEL

from .base_query_generator import BaseQueryGenerator

__all__ = ['DualSourcePairQueryGenerator']

# Proposal logits: AG object id k (1..36) is column k - 1.


@MODELS.register_module()
class DualSourcePairQueryGenerator(BaseQueryGenerator):
    """Pair queries whose content and anchors come from two sources.

    **Where** (``use_where``): two-stage-DETR proposals. Every encoder
    token gets a grid proposal (its cell centre, size ``base_scale * 2**l``
    on level ``l``, normalised by the unpadded size), a transformed memory
    feature, class logits over the 36 classes (sigmoid) and a box delta.
    Action Genome frames have one person, so pair anchors pair the
    ``num_person_anchors`` best *person* proposals with the best *object*
    proposals (max score over classes 2..36): ``Q = P * (Q / P)`` pairs,
    subject box = person proposal, object box = object proposal, detached
    (as in DINO). These proposals get their own set loss (:meth:`loss`,
    Hungarian matching against every frame's GT instances), returned
    through ``enc_outputs``.

    **What** (``use_what``): the content of pair ``q`` is a projection of
    VLM text embeddings: ``[t_person, d_q @ T]`` with ``T`` the object
    class prompt embeddings (37, Cv) and ``d_q`` a class distribution.
    ``content_mode='proposal_x_prior'`` (default): ``d_q`` is the selected
    object proposal's class scores times the frame's VLM class prior
    (``class_prior ** prior_power``), renormalised: the frame-level prior
    from image-text similarity re-weights the proposal's own class guess.
    ``content_mode='prior'``: ``d_q`` is the frame prior, the same for every
    query. A learnable per-query embedding is added so queries sharing a
    class stay distinct.

    Switching a source off: ``use_what=False`` uses learnable content
    vectors (DINO-style, where-only); ``use_where=False`` uses learnable
    anchors as :class:`LearnablePairQueryGenerator` (what-only; needs
    ``content_mode='prior'``). Without both, use the plain generator.

    Args:
        num_queries (int): Pair queries Q (a multiple of
            ``num_person_anchors``).
        embed_dims (int): Query width C.
        vlm_channels (int): Width of the VLM text embeddings.
        use_what (bool): VLM content vectors.
        use_where (bool): Proposal anchors.
        content_mode (str): ``'proposal_x_prior'`` or ``'prior'``.
        prior_power (float): Exponent of the VLM class prior (0 ignores it).
        num_person_anchors (int): Person proposals per frame P.
        base_scale (float): Proposal size on the first level.
        init_box_size (float): Anchor size when ``use_where=False``.
        assigner (dict): Proposal-to-GT assigner (TASK_UTILS); its costs
            see ``scores`` (K, 36) logits and unnormalised XYXY ``bboxes``.
        loss_cls, loss_bbox, loss_iou (dict): Proposal losses.
        task (str): Set by the detector; only ``'sgdet'``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 num_queries: int,
                 embed_dims: int,
                 vlm_channels: int,
                 use_what: bool = True,
                 use_where: bool = True,
                 content_mode: str = 'proposal_x_prior',
                 prior_power: float = 1.0,
                 num_person_anchors: int = 1,
                 base_scale: float = 0.05,
                 init_box_size: float = 0.25,
                 assigner: dict = dict(
                     type='mmdet.HungarianAssigner',
                     match_costs=[
                         dict(type='mmdet.FocalLossCost', weight=2.0),
                         dict(
                             type='mmdet.BBoxL1Cost',
                             weight=5.0,
                             box_format='xywh'),
                         dict(type='mmdet.IoUCost', iou_mode='giou',
                              weight=2.0)
                     ]),
                 loss_cls: dict = dict(
                     type='mmdet.FocalLoss',
                     use_sigmoid=True,
                     gamma=2.0,
                     alpha=0.25,
                     loss_weight=2.0),
                 loss_bbox: dict = dict(type='mmdet.L1Loss', loss_weight=5.0),
                 loss_iou: dict = dict(type='mmdet.GIoULoss', loss_weight=2.0),
                 task: str = 'sgdet',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.task = self.check_task(task)
        if content_mode not in ('proposal_x_prior', 'prior'):
            raise ValueError("content_mode must be 'proposal_x_prior' or "
                             f"'prior', got {content_mode!r}")
        if not (use_what or use_where):
            raise ValueError(
                'DualSourcePairQueryGenerator with use_what=False and '
                'use_where=False is the plain generator: use '
                'LearnablePairQueryGenerator')
        if use_what and not use_where and content_mode != 'prior':
            raise ValueError("use_where=False has no proposals: set "
                             "content_mode='prior'")
        if num_queries < 1 or num_queries % num_person_anchors:
            raise ValueError(
                f'num_queries={num_queries} must be a positive multiple of '
                f'num_person_anchors={num_person_anchors}')
        self.num_queries = num_queries
        self.embed_dims = embed_dims
        self.vlm_channels = vlm_channels
        self.use_what = use_what
        self.use_where = use_where
        self.content_mode = content_mode
        self.prior_power = prior_power
        self.num_person_anchors = num_person_anchors
        self.base_scale = base_scale
        self.init_box_size = init_box_size
        c = embed_dims
        self.query_embed = nn.Embedding(num_queries, c)
        if use_what:
            self.content_proj = nn.Sequential(
                Linear(2 * vlm_channels, c), nn.LayerNorm(c))
        if use_where:
            self.memory_trans_fc = Linear(c, c)
            self.memory_trans_norm = nn.LayerNorm(c)
            self.proposal_cls = Linear(c, _NUM_CLASSES)
            self.proposal_reg = MLP(c, c, 4, 3)
            self.assigner = TASK_UTILS.build(copy.deepcopy(assigner))
            self.loss_cls = MODELS.build(loss_cls)
            self.loss_bbox = MODELS.build(loss_bbox)
            self.loss_iou = MODELS.build(loss_iou)
        else:
            self.anchor_embed = nn.Embedding(num_queries, 8)

    def init_weights(self) -> None:
        """Small query embeddings, focal prior, zero box deltas."""
        super().init_weights()
        if self.use_what:
            # The VLM content carries the signal; the per-query part starts
            # small.
            nn.init.normal_(self.query_embed.weight, std=0.02)
        else:
            nn.init.normal_(self.query_embed.weight)
        if self.use_where:
            nn.init.constant_(self.proposal_cls.bias, -4.595)  # p = 0.01
            nn.init.constant_(self.proposal_reg.layers[-1].weight, 0)
            nn.init.constant_(self.proposal_reg.layers[-1].bias, 0)
        else:
            with torch.no_grad():
                anchors = torch.rand(self.num_queries, 2, 4)
                anchors[..., 2:] = self.init_box_size
                self.anchor_embed.weight.copy_(
                    inverse_sigmoid(anchors.view(self.num_queries, 8)))

    # ------------------------------------------------------------------
    def gen_proposals(self, memory: Tensor, memory_mask: Tensor,
                      spatial_shapes: Tensor) -> Tuple[Tensor, Tensor]:
        """Grid proposals and the transformed memory (cf. mmdet's
        ``DeformableDETR.gen_encoder_output_proposals``).

        Args:
            memory (Tensor): (B, L, C).
            memory_mask (Tensor): (B, L) bool, True at padding.
            spatial_shapes (Tensor): (num_levels, 2).

        Returns:
            tuple[Tensor, Tensor]: output memory (B, L, C) and proposals
            (B, L, 4) in logit space (``inf`` at invalid tokens).
        """
        batch_size = memory.size(0)
        proposals, start = [], 0
        for lvl, (h, w) in enumerate(spatial_shapes.tolist()):
            mask = memory_mask[:, start:start + h * w].view(batch_size, h, w)
            valid_h = (~mask[:, :, 0]).sum(1).clamp(min=1)
            valid_w = (~mask[:, 0, :]).sum(1).clamp(min=1)
            ys, xs = torch.meshgrid(
                torch.arange(h, device=memory.device, dtype=memory.dtype),
                torch.arange(w, device=memory.device, dtype=memory.dtype),
                indexing='ij')
            cx = (xs[None] + 0.5) / valid_w.view(-1, 1, 1)
            cy = (ys[None] + 0.5) / valid_h.view(-1, 1, 1)
            wh = torch.full_like(cx, self.base_scale * 2.0**lvl)
            proposals.append(
                torch.stack([cx, cy, wh, wh], -1).view(batch_size, -1, 4))
            start += h * w
        proposals = torch.cat(proposals, 1)
        valid = ((proposals > 0.01) & (proposals < 0.99)).all(-1)
        valid &= ~memory_mask
        proposals = inverse_sigmoid(proposals).masked_fill(
            ~valid[..., None], float('inf'))
        out = memory.masked_fill(~valid[..., None], 0.)
        out = self.memory_trans_norm(self.memory_trans_fc(out))
        return out, proposals

    def _where(self, memory: Tensor, memory_mask: Tensor,
               spatial_shapes: Tensor) -> dict:
        """Score the proposals and pick the pair anchors."""
        out_memory, proposals = self.gen_proposals(memory, memory_mask,
                                                   spatial_shapes)
        logits = self.proposal_cls(out_memory)  # (B, L, 36)
        boxes = (self.proposal_reg(out_memory) + proposals).sigmoid()
        invalid = torch.isinf(proposals).any(-1)
        scores = logits.sigmoid().masked_fill(invalid[..., None], -1.)
        num_p = self.num_person_anchors
        num_o = self.num_queries // num_p
        if num_o + num_p > memory.size(1):
            raise ValueError(
                f'DualSourcePairQueryGenerator needs {num_o + num_p} '
                f'proposals but the encoder has {memory.size(1)} tokens: '
                'lower num_queries or use larger inputs')
        person_inds = scores[..., PERSON_LABEL - 1].topk(num_p, dim=1)[1]
        object_inds = scores[..., PERSON_LABEL:].max(-1)[0].topk(
            num_o, dim=1)[1]

        def gather(t, inds):
            return t.gather(1, inds[..., None].expand(-1, -1, t.size(-1)))

        # pair q = (person q // num_o, object q % num_o)
        sub = gather(boxes, person_inds).repeat_interleave(num_o, 1)
        obj = gather(boxes, object_inds).repeat(1, num_p, 1)
        selected = torch.cat([person_inds, object_inds], 1)
        return dict(
            anchors=torch.cat([sub, obj], -1).detach(),
            obj_scores=gather(logits, object_inds).sigmoid().repeat(
                1, num_p, 1).detach(),
            enc_outputs=dict(
                cls_scores=gather(logits, selected),
                boxes=gather(boxes, selected)))

    def _what(self, vlm_feats: Optional[dict],
              obj_scores: Optional[Tensor], batch_size: int) -> Tensor:
        """VLM content vectors (B, Q, C)."""
        if vlm_feats is None:
            raise ValueError(
                'DualSourcePairQueryGenerator(use_what=True) needs VLM '
                'features: set model.vlm_encoder, or use_what=False')
        text_obj = vlm_feats['text_obj']  # (37, Cv)
        if text_obj.size(-1) != self.vlm_channels:
            raise ValueError(
                f'DualSourcePairQueryGenerator.vlm_channels='
                f'{self.vlm_channels} but the VLM embeddings have '
                f'{text_obj.size(-1)} channels')
        prior = vlm_feats['class_prior'][:, None]  # (B, 1, 37)
        if len(prior) != batch_size:
            raise ValueError(f'class_prior has {len(prior)} frames, memory '
                             f'{batch_size}')
        prior = prior.clamp(min=1e-8)**self.prior_power
        if self.content_mode == 'prior':
            dist = prior.expand(-1, self.num_queries, -1)
        else:
            dist = torch.cat([obj_scores.new_zeros(*obj_scores.shape[:2], 1),
                              obj_scores], -1) * prior
        dist = dist / dist.sum(-1, keepdim=True).clamp(min=1e-8)
        obj_text = dist @ text_obj  # (B, Q, Cv)
        sub_text = text_obj[PERSON_LABEL].expand_as(obj_text)
        return self.content_proj(torch.cat([sub_text, obj_text], -1))

    def forward(self,
                memory: Tensor,
                memory_mask: Tensor,
                memory_pos: Tensor,
                spatial_shapes: Tensor,
                batch_data_samples: List,
                vlm_feats: Optional[dict] = None) -> dict:
        """Make the pair queries; see :class:`BaseQueryGenerator`.

        Returns:
            dict: ``query`` (B, Q, C), ``anchors`` (B, Q, 8) in [0, 1] and,
            with ``use_where``, ``enc_outputs``: ``cls_scores`` (B, K, 36)
            logits (column k - 1 is AG id k), ``boxes`` (B, K, 4)
            normalised cxcywh of the K = P + Q / P selected proposals, and
            ``batch_data_samples`` for :meth:`loss`.
        """
        batch_size = memory.size(0)
        out = {}
        if self.use_where:
            where = self._where(memory, memory_mask, spatial_shapes)
            anchors, obj_scores = where['anchors'], where['obj_scores']
            out['enc_outputs'] = dict(
                where['enc_outputs'], batch_data_samples=batch_data_samples)
        else:
            anchors = self.anchor_embed.weight.sigmoid()[None].expand(
                batch_size, -1, -1)
            obj_scores = None
        query = self.query_embed.weight[None].expand(batch_size, -1, -1)
        if self.use_what:
            query = query + self._what(vlm_feats, obj_scores, batch_size)
        out.update(query=query, anchors=anchors)
        return out

    # ------------------------------------------------------------------
    def loss(self, enc_outputs: Optional[dict] = None) -> dict:
        """Set loss of the selected proposals against each frame's GT.

        Every frame with ``gt_instances`` (person and objects) counts.

        Args:
            enc_outputs (dict, optional): From :meth:`forward`; None
                without ``use_where`` (no proposals, no loss).

        Returns:
            dict[str, Tensor]: ``enc_loss_cls``, ``enc_loss_bbox``,
            ``enc_loss_iou``.
        """
        if enc_outputs is None:
            return {}
        cls_scores, boxes = enc_outputs['cls_scores'], enc_outputs['boxes']
        labels, label_weights, box_targets, pos_masks = [], [], [], []
        for cls_score, box, sample in zip(cls_scores, boxes,
                                          enc_outputs['batch_data_samples']):
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
            label = torch.full_like(assign.gt_inds, _NUM_CLASSES)
            label[pos] = gt_labels[assign.gt_inds[pos] - 1]
            target = box.new_zeros(box.shape)
            target[pos] = bbox_xyxy_to_cxcywh(
                gt.bboxes[assign.gt_inds[pos] - 1].to(box) / factor)
            labels.append(label)
            label_weights.append(torch.ones_like(label, dtype=box.dtype))
            box_targets.append(target)
            pos_masks.append(pos)
        labels, label_weights = torch.cat(labels), torch.cat(label_weights)
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
