"""The pair head: object classes, pair boxes, predicates, losses and
post-processing."""
import copy
from typing import List, Optional

import torch
import torch.nn as nn
from mmcv.cnn import Linear
from mmdet.models.layers.transformer.utils import MLP
from mmengine.model import BaseModule, bias_init_with_prob, constant_init

from vost.models.layers import refine_pair_boxes
from vost.models.stage_outputs import DecoderOutputs, HeadOutputs
from vost.registry import MODELS, TASK_UTILS
from vost.structures.ag_meta import (
    ATTENTION_PREDICATES,
    CONTACTING_PREDICATES,
    OBJECT_CLASSES,
    SPATIAL_PREDICATES,
)
from vost.structures.ag_meta import PREDICATE_GROUP_NAMES as _GROUPS
from vost.structures.ag_meta import TASKS
from vost.structures.gt_pair_view import gt_pair_view

from .novel_predicates import novel_local_indices
from .pair_post_processing import predict_frame
from .vost_head_loss import VOSTHeadLossMixin

__all__ = ['VOSTHead']


@MODELS.register_module()
class VOSTHead(VOSTHeadLossMixin, BaseModule):
    """Pair head of VOST (mmdet ``DETRHead`` ladder for pairs).

    The instance branches (object class over no-object + 36 AG classes,
    subject and object box deltas) run on every instance-decoder layer, the
    predicate branches (attention 3-way softmax, spatial 6 and contacting 17
    sigmoids) on every relation-decoder layer. Classifier index 0 is
    no-object, index ``k`` is AG object id ``k``.

    Matching: one Hungarian assignment per frame, computed on the final
    outputs (last instance layer + last relation layer) with the triplet
    cost; every auxiliary layer reuses it (the relation queries *are* the
    instance queries, refined, so query identity is kept through the
    cascade; one assignment per frame is also cheaper on CPU). In PredCls /
    SGCls query ``r`` is GT pair ``r`` (no matching, no box losses; no class
    loss in PredCls). Losses are normalised by the number of matched pairs
    averaged across ranks; predicate losses use matched pairs only (AG's
    labels are incomplete).

    Args:
        task (str): ``'sgdet'``, ``'sgcls'`` or ``'predcls'`` (the detector
            sets it from its own ``task``). In PredCls/SGCls query ``r`` is
            GT pair ``r`` and boxes are not refined.
        embed_dims (int): Decoder width C.
        num_instance_layers (int): Instance-decoder layers (one set of
            instance branches each).
        num_relation_layers (int): Relation-decoder layers.
        bg_cls_weight (float): Class weight of no-object (index 0).
        loss_cls, loss_bbox, loss_iou, loss_attention, loss_spatial,
            loss_contacting (dict): mmdet loss configs (stated in the model
            config, ``configs/_base_/models/vost_r50.py``).
        feature_bank (dict, optional): Config of a multi-modal feature bank
            (MODELS); called per relation layer by keyword as
            ``bank(rel_feats=(B,Q,C), sub_boxes=(B,Q,4), obj_boxes=(B,Q,4),
            obj_cls_probs=(B,Q,37), vlm_feats=..., batch_img_metas=...)``
            (boxes normalised cxcywh, detached) and
            returning ``dict(feats=(B,Q,C'), extra_logits=None | dict(
            attention=..., spatial=..., contacting=...))``; the predicate
            branches read ``bank.out_channels`` features and add
            ``extra_logits``.
        share_pred_layer (bool): Share the branches across layers.
        train_cfg (dict): ``assigner`` config (TASK_UTILS).
        test_cfg (dict): Every key of :attr:`TEST_CFG_KEYS`:
            ``max_per_img`` (pairs), ``score_thr``,
            ``pair_score``, ``pair_nms``, ``person_box``, ``subject_iou``
            (see :mod:`vost.models.heads.pair_post_processing`),
            ``novel_predicates`` (:mod:`.novel_predicates`) and
            ``vlm_class_weight`` (read by the detector, see
            :func:`~vost.models.vlm.box_classifier.ensemble_class_logits`).
        init_cfg (dict, optional): Initialisation config.
    """

    #: The ``test_cfg`` keys; their values are stated once, in the model
    #: config (``configs/_base_/models/vost_r50.py``, ``model.test_cfg``).
    TEST_CFG_KEYS = ('max_per_img', 'score_thr', 'pair_score', 'pair_nms',
                     'person_box', 'subject_iou', 'vlm_class_weight',
                     'novel_predicates')

    def __init__(self,
                 bg_cls_weight: float,
                 loss_cls: dict,
                 loss_bbox: dict,
                 loss_iou: dict,
                 loss_attention: dict,
                 loss_spatial: dict,
                 loss_contacting: dict,
                 test_cfg: dict,
                 task: str = 'sgdet',
                 embed_dims: int = 256,
                 num_instance_layers: int = 6,
                 num_relation_layers: int = 6,
                 feature_bank: Optional[dict] = None,
                 share_pred_layer: bool = False,
                 train_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if task not in TASKS:
            raise ValueError(f'VOSTHead: task must be one of {TASKS}, got '
                             f'{task!r}')
        missing = [k for k in self.TEST_CFG_KEYS if k not in (test_cfg or {})]
        if missing:
            raise ValueError(
                f'VOSTHead: test_cfg lacks {missing}; the model config '
                'states every key (model.test_cfg of '
                'configs/_base_/models/vost_r50.py)')
        self.task = task
        self.embed_dims = embed_dims
        self.num_instance_layers = num_instance_layers
        self.num_relation_layers = num_relation_layers
        self.cls_out_channels = len(OBJECT_CLASSES)  # 37: no-object + 36
        self.num_predicates = dict(
            attention=len(ATTENTION_PREDICATES),
            spatial=len(SPATIAL_PREDICATES),
            contacting=len(CONTACTING_PREDICATES))
        self.bg_cls_weight = bg_cls_weight
        self.share_pred_layer = share_pred_layer
        self.train_cfg = train_cfg or {}
        self.test_cfg = dict(test_cfg)
        self.novel_local = novel_local_indices(
            self.test_cfg['novel_predicates'])
        if any(self.novel_local.values()) and (
                feature_bank is None
                or feature_bank.get('text_logit_scale') is None):
            raise ValueError(
                'VOSTHead test_cfg.novel_predicates needs the feature '
                "bank's predicate-text logits (feature_bank with "
                'text_logit_scale): they are the novel predicates\' scores')
        self.assigner = TASK_UTILS.build(
            self.train_cfg['assigner']) if 'assigner' in self.train_cfg \
            else None

        loss_cls = copy.deepcopy(loss_cls)
        class_weight = torch.ones(self.cls_out_channels)
        class_weight[0] = bg_cls_weight
        loss_cls['class_weight'] = class_weight.tolist()
        self.loss_cls = MODELS.build(loss_cls)
        self.loss_bbox = MODELS.build(loss_bbox)
        self.loss_iou = MODELS.build(loss_iou)
        self.loss_attention = MODELS.build(loss_attention)
        self.loss_spatial = MODELS.build(loss_spatial)
        self.loss_contacting = MODELS.build(loss_contacting)

        self.feature_bank = MODELS.build(feature_bank) \
            if feature_bank is not None else None
        rel_channels = self.feature_bank.out_channels \
            if self.feature_bank is not None else embed_dims
        self._init_layers(rel_channels)

    def _branches(self, make, num: int) -> nn.ModuleList:
        """``num`` branches from ``make()``, shared or independent."""
        if self.share_pred_layer:
            branch = make()
            return nn.ModuleList([branch for _ in range(num)])
        return nn.ModuleList([make() for _ in range(num)])

    def _init_layers(self, rel_channels: int) -> None:
        """Build the per-layer branches."""
        dims = self.embed_dims
        n_inst, n_rel = self.num_instance_layers, self.num_relation_layers
        self.cls_branches = self._branches(
            lambda: Linear(dims, self.cls_out_channels), n_inst)
        self.sub_reg_branches = self._branches(
            lambda: MLP(dims, dims, 4, 3), n_inst)
        self.obj_reg_branches = self._branches(
            lambda: MLP(dims, dims, 4, 3), n_inst)
        self.attention_branches = self._branches(
            lambda: Linear(rel_channels, self.num_predicates['attention']),
            n_rel)
        self.spatial_branches = self._branches(
            lambda: Linear(rel_channels, self.num_predicates['spatial']),
            n_rel)
        self.contacting_branches = self._branches(
            lambda: Linear(rel_channels, self.num_predicates['contacting']),
            n_rel)

    def init_weights(self) -> None:
        """Zero box deltas, focal prior on the multi-label branches."""
        super().init_weights()
        for branch in list(self.sub_reg_branches) + list(
                self.obj_reg_branches):
            constant_init(branch.layers[-1], 0, bias=0)
        bias = bias_init_with_prob(0.01)
        for branch in list(self.spatial_branches) + list(
                self.contacting_branches):
            nn.init.constant_(branch.bias, bias)

    # ------------------------------------------------------------------
    # forward
    # ------------------------------------------------------------------
    def forward(self,
                decoder_outs: DecoderOutputs,
                batch_img_metas: List[dict],
                vlm_feats: Optional[dict] = None,
                text_only: bool = False) -> HeadOutputs:
        """Run the branches on every decoder layer.

        Boxes are refined in SGDet; in PredCls/SGCls they stay the anchors
        (the GT boxes).

        Args:
            decoder_outs (DecoderOutputs): ``inst_hidden`` (Li, B, Q, C),
                ``references`` (Li + 1, B, Q, 8) anchors in [0, 1]
                (``references[i]`` is layer ``i``'s input) and
                ``rel_hidden`` (Lr, B, Q, C).
            batch_img_metas (list[dict]): The B frames' metas (for the
                feature bank).
            vlm_feats (dict, optional): For the feature bank.
            text_only (bool): The ``test_cfg.novel_predicates`` logits are
                the bank's predicate-text logits alone (zero-shot testing:
                their trained branches never saw a positive).

        Returns:
            HeadOutputs: ``cls_scores`` (Li, B, Q, 37) logits,
            ``sub_boxes`` / ``obj_boxes`` (Li, B, Q, 4) normalised cxcywh,
            ``attention`` (Lr, B, Q, 3), ``spatial`` (Lr, B, Q, 6),
            ``contacting`` (Lr, B, Q, 17) logits.
        """
        inst_hidden = decoder_outs.inst_hidden
        references = decoder_outs.references
        rel_hidden = decoder_outs.rel_hidden
        if inst_hidden.size(0) != self.num_instance_layers or \
                rel_hidden.size(0) != self.num_relation_layers:
            raise ValueError(
                f'VOSTHead has {self.num_instance_layers} instance / '
                f'{self.num_relation_layers} relation branches but the '
                f'decoders gave {inst_hidden.size(0)} / {rel_hidden.size(0)} '
                'layers; set bbox_head.num_*_layers to the decoder depths')
        refine_boxes = self.task == 'sgdet'
        cls_scores, sub_boxes, obj_boxes = [], [], []
        for i, hidden in enumerate(inst_hidden):
            cls_scores.append(self.cls_branches[i](hidden))
            ref = references[i]
            if refine_boxes:
                ref = refine_pair_boxes(ref, self.sub_reg_branches[i](hidden),
                                        self.obj_reg_branches[i](hidden))
            sub, obj = ref[..., :4], ref[..., 4:]
            sub_boxes.append(sub)
            obj_boxes.append(obj)
        all_cls_scores = torch.stack(cls_scores)
        all_sub_boxes = torch.stack(sub_boxes)
        all_obj_boxes = torch.stack(obj_boxes)

        preds = {group: [] for group in _GROUPS}
        for j, feats in enumerate(rel_hidden):
            extra = None
            if self.feature_bank is not None:
                fused = self.feature_bank(
                    rel_feats=feats,
                    sub_boxes=all_sub_boxes[-1].detach(),
                    obj_boxes=all_obj_boxes[-1].detach(),
                    obj_cls_probs=all_cls_scores[-1].detach().softmax(-1),
                    vlm_feats=vlm_feats,
                    batch_img_metas=batch_img_metas)
                feats, extra = fused['feats'], fused.get('extra_logits')
            for group in _GROUPS:
                logits = getattr(self, f'{group}_branches')[j](feats)
                if extra is not None and extra.get(group) is not None:
                    logits = logits + extra[group]
                    novel = self.novel_local[group]
                    if text_only and novel:
                        logits = logits.clone()
                        logits[..., novel] = extra[group][..., novel]
                preds[group].append(logits)
        return HeadOutputs(
            cls_scores=all_cls_scores,
            sub_boxes=all_sub_boxes,
            obj_boxes=all_obj_boxes,
            **{g: torch.stack(preds[g]) for g in _GROUPS})

    # ------------------------------------------------------------------
    # prediction
    # ------------------------------------------------------------------
    def predict_by_feat(self,
                        head_outs: HeadOutputs,
                        batch_data_samples: List,
                        rescale: bool = True) -> List[tuple]:
        """Per-frame predictions from the last layers.

        SGDet: pairs ranked and filtered by ``test_cfg`` (see
        :mod:`~vost.models.heads.pair_post_processing`). PredCls/SGCls:
        one pair per GT pair, in GT order, GT boxes; labels are the GT's
        (PredCls, score 1) or predicted over 1..36 (SGCls).

        Args:
            head_outs (HeadOutputs): :meth:`forward` on the B frames.
            batch_data_samples (list[SGDataSample]): The B frames (their
                metainfo; GT pairs in PredCls/SGCls).
            rescale (bool): Boxes in original-frame pixels.

        Returns:
            list[tuple[InstanceData, InstanceData]]: ``pred_instances``
            (``bboxes`` (K+1, 4) XYXY, original pixels when ``rescale``;
            ``labels`` AG ids, person first; ``scores``) and ``pred_pairs``
            (``pair_inds`` (K, 2), ``attention_scores`` (K, 3),
            ``spatial_scores`` (K, 6), ``contacting_scores`` (K, 17)
            probabilities, ``scores`` (K,) ranking scores) per frame.
        """
        last = head_outs.last()
        return [
            predict_frame(
                last.frame(b),
                img_meta=sample.metainfo,
                test_cfg=self.test_cfg,
                rescale=rescale,
                task=self.task,
                gt_pairs=None if self.task == 'sgdet' else gt_pair_view(
                    sample, 'VOSTHead'))
            for b, sample in enumerate(batch_data_samples)
        ]
