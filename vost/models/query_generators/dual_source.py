"""Dual-source pair queries: *what* from VLM text, *where* from proposals."""
from typing import List, Optional

import torch
import torch.nn as nn
from mmcv.cnn import Linear
from mmdet.models.detectors import DeformableDETR
from mmdet.models.layers import MLP
from mmdet.models.layers.transformer.utils import inverse_sigmoid
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy, bbox_overlaps
from torch import Tensor

from vost.models.stage_outputs import PairQueries
from vost.registry import MODELS
from vost.structures.ag_meta import NUM_OBJECT_CLASSES as _NUM_CLASSES
from vost.structures.ag_meta import PERSON_LABEL

from .base_query_generator import BaseQueryGenerator
from .proposal_set_loss import ProposalSetLoss
from .vlm_content import vlm_pair_text

__all__ = ['DualSourcePairQueryGenerator']

# Proposal logits: AG object id k (1..36) is column k - 1.


@MODELS.register_module()
class DualSourcePairQueryGenerator(BaseQueryGenerator):
    """Pair queries whose content and anchors come from two sources.

    **Where** (``use_where``): two-stage-DETR proposals. Every encoder
    token gets a grid proposal (Deformable DETR's
    ``gen_encoder_output_proposals``: its cell centre, size ``0.05 * 2**l``
    on level ``l``, normalised by the unpadded size), a transformed memory
    feature, class logits over the 36 classes (sigmoid) and a box delta.
    Action Genome frames have one person, so pair anchors pair the
    ``num_person_anchors`` best *person* proposals with the best *object*
    proposals (max score over classes 2..36): ``Q = P * (Q / P)`` pairs,
    subject box = person proposal, object box = object proposal, detached
    (as in DINO). These proposals get their own set loss
    (:class:`ProposalSetLoss`, Hungarian matching against every frame's GT
    instances), returned through ``enc_outputs``.

    **What** (``use_what``): the content of pair ``q`` is a projection of
    VLM text embeddings (:func:`vlm_pair_text`): ``[t_person, d_q @ T]``
    with ``T`` the object class prompt embeddings (37, Cv) and ``d_q`` a
    class distribution.
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
        person_anchor_iou (float, optional): With several people
            (P > 1), pick the P person proposals greedily by score, skipping
            one whose box overlaps an already picked one with IoU above
            this (NMS), so the anchors cover different people. None
            (default): the top-P scores.
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
                 person_anchor_iou: Optional[float] = None,
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
        self.person_anchor_iou = person_anchor_iou
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
            self.proposal_loss = ProposalSetLoss(assigner, loss_cls,
                                                 loss_bbox, loss_iou)
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
    # Grid proposals and the transformed memory (B, L, C), proposals
    # (B, L, 4) in logit space, ``inf`` at padding and near-border tokens:
    # Deformable DETR's, reading self.memory_trans_fc / memory_trans_norm.
    gen_proposals = DeformableDETR.gen_encoder_output_proposals

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
        person_inds = self._person_anchors(scores[..., PERSON_LABEL - 1],
                                           boxes, num_p)
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

    def _person_anchors(self, scores: Tensor, boxes: Tensor,
                        num_p: int) -> Tensor:
        """Indices (B, P) of the person proposals (top-P, or NMS-picked
        with ``person_anchor_iou``; a frame with fewer separate boxes
        fills up with the best of the rest)."""
        top = scores.topk(num_p, dim=1)[1]
        if self.person_anchor_iou is None or num_p == 1:
            return top
        cand = scores.topk(min(scores.size(1), 16 * num_p), dim=1)[1]
        out = []
        for b in range(scores.size(0)):
            xyxy = bbox_cxcywh_to_xyxy(boxes[b, cand[b]]).float()
            ious = bbox_overlaps(xyxy, xyxy).tolist()
            picked = []
            for i in range(cand.size(1)):
                if all(ious[i][j] <= self.person_anchor_iou for j in picked):
                    picked.append(i)
                    if len(picked) == num_p:
                        break
            rest = [i for i in range(cand.size(1)) if i not in picked]
            picked = (picked + rest)[:num_p]
            out.append(cand[b, picked])
        return torch.stack(out)

    def forward(self,
                memory: Tensor,
                memory_mask: Tensor,
                memory_pos: Tensor,
                spatial_shapes: Tensor,
                batch_data_samples: List,
                vlm_feats: Optional[dict] = None) -> PairQueries:
        """Make the pair queries; see :class:`BaseQueryGenerator`.

        Returns:
            PairQueries: ``query`` (B, Q, C), ``anchors`` (B, Q, 8) in
            [0, 1] and, with ``use_where``, ``enc_outputs``:
            ``cls_scores`` (B, K, 36) logits (column k - 1 is AG id k),
            ``boxes`` (B, K, 4) normalised cxcywh of the K = P + Q / P
            selected proposals, and ``batch_data_samples`` for
            :meth:`loss`.
        """
        batch_size = memory.size(0)
        enc_outputs = None
        if self.use_where:
            where = self._where(memory, memory_mask, spatial_shapes)
            anchors, obj_scores = where['anchors'], where['obj_scores']
            enc_outputs = dict(
                where['enc_outputs'], batch_data_samples=batch_data_samples)
        else:
            anchors = self.anchor_embed.weight.sigmoid()[None].expand(
                batch_size, -1, -1)
            obj_scores = None
        query = self.query_embed.weight[None].expand(batch_size, -1, -1)
        if self.use_what:
            text = vlm_pair_text(vlm_feats, obj_scores, batch_size,
                                 self.num_queries, self.vlm_channels,
                                 self.content_mode, self.prior_power)
            query = query + self.content_proj(text)
        return PairQueries(query=query, anchors=anchors,
                           enc_outputs=enc_outputs)

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
        return self.proposal_loss(enc_outputs['cls_scores'],
                                  enc_outputs['boxes'],
                                  enc_outputs['batch_data_samples'])
