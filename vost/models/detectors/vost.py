"""VOST: the one-stage pair-wise scene graph detector."""
from dataclasses import replace
from typing import Optional, Tuple

import torch
import torch.nn as nn
from mmdet.models.layers import DetrTransformerEncoder, SinePositionalEncoding
from torch import Tensor

from vost.models.layers import (PairInstanceDecoder, PairRelationDecoder,
                                multi_level_tokens)
from vost.models.stage_outputs import HeadOutputs, PairQueries
from vost.models.temporal import TemporalHeadFromSpatial
from vost.models.vlm.box_classifier import (box_class_probs,
                                            ensemble_class_logits)
from vost.registry import MODELS
from vost.structures.ag_meta import TASKS
from .base_sg_detector import BaseSGDetector
from .frame_cache import FrameOutputCache

__all__ = ['VOST']


def _clear_frame_cache(model: 'VOST', incompatible_keys) -> None:
    """``load_state_dict`` post-hook: new weights, stale cached frames."""
    if model.frame_cache is not None:
        model.frame_cache.clear()


@MODELS.register_module()
class VOST(BaseSGDetector):
    r"""VOST one-stage scene graph generator (spatial stages).

    The stages of the :class:`BaseSGDetector` template (which writes
    ``loss``, ``predict`` and ``_forward`` once over them), as mmdet's
    ``DETR`` implements ``DetectionTransformer``'s. Clips ``(N, T, C, H,
    W)`` are flattened to ``N * T`` frames and every spatial stage runs on
    all frames at once; losses and predictions use the key frames.

    .. code:: text

        clip (N,T,C,H,W) -> flatten -> frames (N*T,C,H,W)
          [vlm_encoder] ----------------------------> vlm_feats (or None)
          extract_feat: backbone -> neck ----------> multi-level feats
          pre_transformer: flatten levels, masks, sine pos
                           -> encoder_inputs, decoder_inputs
          forward_encoder(**encoder_inputs) --------> memory (N*T, L, C)
          generate_queries(**decoder_inputs) -------> PairQueries
          forward_instance_decoder(**decoder_inputs): boxes refined
          forward_relation_decoder(**decoder_inputs): cascaded
                                        -> FrameOutputs (N*T frames)
          select key frames -> bbox_head.loss / bbox_head.predict_by_feat
          [temporal: the spatial head scores the reference pairs; the
           stage's key frames attend to them -> its head]

    Args:
        backbone (dict): Backbone config (e.g. ``mmdet.ResNet``).
        encoder (dict): :class:`DetrTransformerEncoder` config.
        query_generator (dict): A :class:`BaseQueryGenerator` config.
        instance_decoder (dict): :class:`PairInstanceDecoder` config.
        relation_decoder (dict): :class:`PairRelationDecoder` config.
        bbox_head (dict): :class:`VOSTHead` config.
        neck (dict, optional): Neck mapping the backbone to the transformer
            width (e.g. ``mmdet.ChannelMapper``).
        positional_encoding (dict): :class:`SinePositionalEncoding` config.
        num_feature_levels (int): Feature levels the neck outputs; levels
            are concatenated into one token sequence with a learnable level
            embedding when more than one.
        task (str): ``'sgdet'``, ``'sgcls'`` or ``'predcls'``; the latter
            two build queries from GT pairs (``GTPairQueryGenerator``).
        vlm_encoder (dict, optional): A frozen VLM module, called once per
            step on the N*T frames (``vlm_feats``; ``text_*`` entries are
            shared by all frames).
        temporal (dict, optional): A :class:`TemporalStage` config (its
            ``spatial_head`` is set here): the key frames' pairs attend to
            their clip's reference frames and the stage's head gives the
            outputs (its losses prefixed ``t.``, the spatial head's stay as
            auxiliary losses). Its ``frame_cache_size`` (default 0: none)
            is the detector's: the frames whose spatial outputs are kept
            across test batches (:class:`FrameOutputCache`). None: the
            spatial model.
        train_cfg (dict, optional): Passed to the head (``assigner``).
        test_cfg (dict, optional): Passed to the head.
        data_preprocessor (dict, optional): ``mmdet.TrackDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 encoder: dict,
                 query_generator: dict,
                 instance_decoder: dict,
                 relation_decoder: dict,
                 bbox_head: dict,
                 neck: Optional[dict] = None,
                 positional_encoding: Optional[dict] = None,
                 num_feature_levels: int = 1,
                 task: str = 'sgdet',
                 vlm_encoder: Optional[dict] = None,
                 temporal: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if task not in TASKS:
            raise ValueError(f'VOST: task must be one of {TASKS}, got '
                             f'{task!r}')
        self.task = task
        self.train_cfg = train_cfg
        self.test_cfg = test_cfg
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck) if neck is not None else None
        self.encoder = DetrTransformerEncoder(**encoder)
        self.embed_dims = self.encoder.embed_dims
        positional_encoding = positional_encoding or dict(
            num_feats=self.embed_dims // 2, normalize=True)
        self.positional_encoding = SinePositionalEncoding(
            **positional_encoding)
        self.num_feature_levels = num_feature_levels
        if num_feature_levels > 1:
            self.level_embed = nn.Parameter(
                torch.zeros(num_feature_levels, self.embed_dims))
        # the task is stated once, here: the generator and the head get it
        self.query_generator = MODELS.build(dict(query_generator, task=task))
        self.instance_decoder = PairInstanceDecoder(**instance_decoder)
        self.relation_decoder = PairRelationDecoder(**relation_decoder)
        self.vlm_encoder = MODELS.build(vlm_encoder) \
            if vlm_encoder is not None else None
        # one branch set per decoder layer (as mmdet's num_pred_layer)
        layers = dict(num_instance_layers=self.instance_decoder.num_layers,
                      num_relation_layers=self.relation_decoder.num_layers)
        for key, num in layers.items():
            if bbox_head.get(key, num) != num:
                raise ValueError(
                    f'VOST: bbox_head.{key}={bbox_head[key]} but the '
                    f'decoder has {num} layers; leave it out of the config '
                    '(the detector sets it)')
        bbox_head = dict(bbox_head, task=task, train_cfg=train_cfg,
                         test_cfg=test_cfg, **layers)
        self.bbox_head = MODELS.build(bbox_head)
        if self.bbox_head.test_cfg['vlm_class_weight'] > 0 and (
                self.vlm_encoder is None or self.vlm_encoder.cache):
            raise ValueError(
                'VOST: test_cfg.vlm_class_weight > 0 classifies box crops '
                'with the VLM: it needs an online vlm_encoder (no '
                'cache_dir)')
        self.temporal = self.frame_cache = None
        if temporal is not None:
            temporal = dict(temporal)
            cache_size = temporal.pop('frame_cache_size', 0)
            self.temporal = MODELS.build(
                dict(temporal, spatial_head=bbox_head))
            if cache_size:
                self.frame_cache = FrameOutputCache(cache_size)
            self.register_load_state_dict_pre_hook(
                TemporalHeadFromSpatial(
                    self.temporal.head.state_dict().keys(),
                    TemporalHeadFromSpatial.spatial_branch_layers(
                        self.bbox_head)))
            self.register_load_state_dict_post_hook(_clear_frame_cache)

    def init_weights(self) -> None:
        """Initialise the modules; Xavier for the transformer parts."""
        super().init_weights()
        for module in (self.encoder, self.instance_decoder,
                       self.relation_decoder):
            for p in module.parameters():
                if p.dim() > 1:
                    nn.init.xavier_uniform_(p)
        if self.num_feature_levels > 1:
            nn.init.normal_(self.level_embed)

    # ------------------------------------------------------------------
    # stages
    # ------------------------------------------------------------------
    def extract_feat(self, batch_inputs: Tensor) -> Tuple[Tensor]:
        """Backbone and neck.

        Args:
            batch_inputs (Tensor): (B, C, H, W) frames.

        Returns:
            tuple[Tensor]: Multi-level features (B, C_l, h_l, w_l).
        """
        feats = self.backbone(batch_inputs)
        if self.neck is not None:
            feats = self.neck(feats)
        return tuple(feats)

    def pre_transformer(self, mlvl_feats: Tuple[Tensor],
                        batch_data_samples: list) -> Tuple[dict, dict]:
        """Flatten the levels into tokens with padding masks and sine
        positions.

        Returns:
            tuple[dict, dict]: encoder inputs ``feat`` (B, L, C),
            ``feat_mask`` (B, L) bool (True = padding), ``feat_pos``
            (B, L, C); decoder inputs ``memory_mask`` and ``memory_pos``
            (the same masks and positions) and ``spatial_shapes``
            (num_levels, 2) long.
        """
        if len(mlvl_feats) != self.num_feature_levels:
            raise ValueError(
                f'VOST: num_feature_levels={self.num_feature_levels} but '
                f'the backbone/neck gave {len(mlvl_feats)} levels')
        tokens = multi_level_tokens(
            mlvl_feats, [s.metainfo for s in batch_data_samples],
            self.positional_encoding,
            self.level_embed if self.num_feature_levels > 1 else None)
        encoder_inputs = dict(feat=tokens['feat'],
                              feat_mask=tokens['feat_mask'],
                              feat_pos=tokens['feat_pos'])
        decoder_inputs = dict(memory_mask=tokens['feat_mask'],
                              memory_pos=tokens['feat_pos'],
                              spatial_shapes=tokens['spatial_shapes'])
        return encoder_inputs, decoder_inputs

    def forward_encoder(self, feat: Tensor, feat_mask: Tensor,
                        feat_pos: Tensor) -> dict:
        """Transformer encoder over every frame's tokens.

        Returns:
            dict: ``memory`` (B, L, C).
        """
        return dict(memory=self.encoder(
            query=feat, query_pos=feat_pos, key_padding_mask=feat_mask))

    def generate_queries(self, memory: Tensor, memory_mask: Tensor,
                         memory_pos: Tensor, spatial_shapes: Tensor,
                         batch_data_samples: list,
                         vlm_feats: Optional[dict] = None) -> PairQueries:
        """Call the query generator (see :class:`BaseQueryGenerator`).

        Returns:
            PairQueries: ``query`` (B, Q, C), ``anchors`` (B, Q, 8),
            ``query_mask`` (B, Q) or None, and ``enc_outputs`` for the
            generator's own loss (None for one-stage generators).
        """
        return self.query_generator(
            memory=memory,
            memory_mask=memory_mask,
            memory_pos=memory_pos,
            spatial_shapes=spatial_shapes,
            batch_data_samples=batch_data_samples,
            vlm_feats=vlm_feats)

    def forward_instance_decoder(self, **decoder_inputs) -> dict:
        """Pair-wise instance decoder; refines boxes in SGDet only.

        Args:
            **decoder_inputs: ``query``, ``anchors``, ``query_mask``,
                ``memory``, ``memory_mask``, ``memory_pos``,
                ``spatial_shapes`` (see :class:`PairInstanceDecoder`).

        Returns:
            dict: ``inst_hidden`` (Li, B, Q, C) and ``references``
            (Li + 1, B, Q, 8).
        """
        head = self.bbox_head if self.task == 'sgdet' else None
        inst_hidden, references = self.instance_decoder(
            **decoder_inputs,
            sub_reg_branches=head and head.sub_reg_branches,
            obj_reg_branches=head and head.obj_reg_branches)
        return dict(inst_hidden=inst_hidden, references=references)

    def forward_relation_decoder(self, inst_hidden: Tensor,
                                 references: Tensor,
                                 **decoder_inputs) -> dict:
        """Cascaded relation decoder from the last instance states.

        Args:
            inst_hidden (Tensor): (Li, B, Q, C) instance states.
            references (Tensor): (Li + 1, B, Q, 8) pair boxes.
            **decoder_inputs: As :meth:`forward_instance_decoder` (its
                ``query`` and ``anchors`` are replaced by the last instance
                states and boxes).

        Returns:
            dict: ``rel_hidden`` (Lr, B, Q, C).
        """
        decoder_inputs.update(query=inst_hidden[-1], anchors=references[-1])
        return dict(rel_hidden=self.relation_decoder(**decoder_inputs))

    def refine_class_scores(self, head_outs: HeadOutputs,
                            batch_inputs: Tensor,
                            batch_data_samples: list,
                            key_samples: list) -> HeadOutputs:
        """With ``test_cfg.vlm_class_weight > 0`` (SGDet, SGCls) the last
        layer's class scores of the key frames become the geometric
        ensemble with the VLM's classes of their object-box crops
        (:func:`~vost.models.vlm.box_classifier.ensemble_class_logits`).

        Args:
            head_outs (HeadOutputs): The N key frames' head outputs.
            batch_inputs (Tensor): (N, T, C, H, W) the clips.
            batch_data_samples (list[TrackDataSample]): The N clips.
            key_samples (list[SGDataSample]): The N key frames.

        Returns:
            HeadOutputs: ``head_outs``, its last class scores replaced.
        """
        weight = self.bbox_head.test_cfg['vlm_class_weight']
        if weight <= 0 or self.task == 'predcls':
            return head_outs
        clips = self.flatten_clips(batch_inputs, batch_data_samples)
        cls_scores = head_outs.cls_scores
        last = ensemble_class_logits(
            cls_scores[-1],
            box_class_probs(self.vlm_encoder, clips.frames[clips.key_inds],
                            key_samples, head_outs.obj_boxes[-1]), weight)
        return replace(head_outs,
                       cls_scores=torch.cat([cls_scores[:-1], last[None]]))
