"""VOST: the one-stage pair-wise scene graph detector."""
from functools import partial
from typing import List, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.models.detectors.base import BaseDetector
from mmdet.models.layers import DetrTransformerEncoder, SinePositionalEncoding
from mmdet.structures import TrackDataSample
from torch import Tensor

from vost.models.layers import PairInstanceDecoder, PairRelationDecoder
from vost.models.temporal import (
    FrameOutputCache,
    TemporalHeadFromSpatial,
    clip_frame_index,
    pair_confidence,
    temporal_head_cfg,
    unique_frame_index,
)
from vost.models.vlm.box_classifier import box_class_probs
from vost.registry import MODELS

__all__ = ['VOST']

_TASKS = ('sgdet', 'sgcls', 'predcls')


@MODELS.register_module()
class VOST(BaseDetector):
    r"""VOST one-stage scene graph generator (spatial stages).

    A thin template in the spirit of mmdet's ``DetectionTransformer``:
    ``loss``, ``predict`` and ``_forward`` are written once over named
    stages that hand each other keyword dicts. Clips ``(N, T, C, H, W)``
    are flattened to ``N * T`` frames and every spatial stage runs on all
    frames at once; losses and predictions use the key frames.

    .. code:: text

        clip (N,T,C,H,W) -> flatten -> frames (N*T,C,H,W)
          [vlm_encoder] ----------------------------> vlm_feats (or None)
          extract_feat: backbone -> neck ----------> multi-level feats
          pre_transformer: flatten levels, masks, sine pos
          forward_encoder: DetrTransformerEncoder --> memory (N*T, L, C)
          generate_queries: query_generator -------> query, anchors (8)
          forward_instance_decoder: pair boxes refined layer by layer
          forward_relation_decoder: cascaded, from instance states
          [temporal_decoder hook: key frames attend to reference frames]
          select key frames -> bbox_head.loss / bbox_head.predict

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
        vlm_encoder (dict, optional): A frozen VLM module; called once per
            step as ``vlm_encoder(frames (N*T,C,H,W), frame_samples)`` and
            returning a dict; entries named ``text_*`` are shared by all
            frames, the others have N*T rows.
        temporal_decoder (dict, optional): A
            :class:`~vost.models.temporal.TemporalPairDecoder` config. When
            set, the key frames' pair states attend to their clip's
            reference frames (:meth:`forward_temporal`) and ``temporal_head``
            (the spatial head's config with one branch set per temporal
            layer, initialised from the spatial head when a stage-1
            checkpoint is loaded, see ``TemporalHeadFromSpatial``) gives the
            key-frame outputs; the spatial head's key-frame losses stay as
            auxiliary losses and the temporal ones are prefixed ``t.``.
            None: the spatial model (reference frames do not matter).
        train_cfg (dict, optional): Passed to the head (``assigner``).
        test_cfg (dict, optional): Passed to the head. With a temporal
            stage, ``frame_cache_size`` (int, default 0 = off) keeps the
            spatial outputs of the last frames across test batches
            (:class:`~vost.models.temporal.FrameOutputCache`), so a frame
            read by key frames of two batches runs once.
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
                 temporal_decoder: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if task not in _TASKS:
            raise ValueError(f'VOST: task must be one of {_TASKS}, got '
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
        self.query_generator = MODELS.build(query_generator)
        if self.query_generator.uses_gt_pairs != (task != 'sgdet'):
            raise ValueError(
                f'VOST: task={task!r} does not fit query_generator '
                f'{type(self.query_generator).__name__}: SGDet needs a '
                'generator without GT pairs, PredCls/SGCls '
                'GTPairQueryGenerator')
        self.instance_decoder = PairInstanceDecoder(**instance_decoder)
        self.relation_decoder = PairRelationDecoder(**relation_decoder)
        self.vlm_encoder = MODELS.build(vlm_encoder) \
            if vlm_encoder is not None else None
        bbox_head = dict(bbox_head)
        bbox_head.update(train_cfg=train_cfg, test_cfg=test_cfg)
        self.bbox_head = MODELS.build(bbox_head)
        if self.bbox_head.test_cfg['vlm_class_weight'] > 0 and (
                self.vlm_encoder is None or self.vlm_encoder.cache):
            raise ValueError(
                'VOST: test_cfg.vlm_class_weight > 0 classifies box crops '
                'with the VLM: it needs an online vlm_encoder (no '
                'cache_dir)')
        self.temporal_decoder = self.temporal_head = None
        self.frame_cache = None
        if temporal_decoder is not None:
            cache_size = (test_cfg or {}).get('frame_cache_size', 0)
            if cache_size:
                self.frame_cache = FrameOutputCache(cache_size)
            self.temporal_decoder = MODELS.build(temporal_decoder)
            self.temporal_head = MODELS.build(
                temporal_head_cfg(bbox_head,
                                  self.temporal_decoder.num_layers))
            self._register_load_state_dict_pre_hook(
                TemporalHeadFromSpatial(
                    self.temporal_head.state_dict().keys(),
                    TemporalHeadFromSpatial.spatial_branch_layers(
                        self.bbox_head)))

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

    @property
    def gt_pairs_mode(self) -> Optional[str]:
        """None for SGDet, else the task (queries from GT pairs)."""
        return None if self.task == 'sgdet' else self.task

    # ------------------------------------------------------------------
    # clip <-> frames
    # ------------------------------------------------------------------
    @staticmethod
    def flatten_clips(batch_inputs: Tensor,
                      batch_data_samples: List[TrackDataSample]
                      ) -> Tuple[Tensor, list, List[int]]:
        """Flatten clips to frames.

        Args:
            batch_inputs (Tensor): (N, T, C, H, W) or (N, C, H, W) (T = 1).
            batch_data_samples (list[TrackDataSample]): N clips.

        Returns:
            tuple: frames (N*T, C, H, W), frame samples (N*T), and the
            flat index of each clip's key frame (N).
        """
        if batch_inputs.dim() == 4:
            batch_inputs = batch_inputs[:, None]
        num_clips, num_frames = batch_inputs.shape[:2]
        if len(batch_data_samples) != num_clips:
            raise ValueError(f'VOST: {num_clips} clips but '
                             f'{len(batch_data_samples)} data samples')
        frame_samples, key_inds = [], []
        for n, track in enumerate(batch_data_samples):
            frames = track.video_data_samples
            if len(frames) != num_frames:
                raise ValueError(
                    f'VOST: clip {n} has {len(frames)} frame samples but '
                    f'the input has {num_frames} frames')
            keys = track.metainfo.get('key_frames_inds', [0])
            if len(keys) != 1:
                raise ValueError('VOST: each clip needs exactly one key '
                                 f'frame, clip {n} has key_frames_inds='
                                 f'{keys}')
            frame_samples.extend(frames)
            key_inds.append(n * num_frames + int(keys[0]))
        return batch_inputs.flatten(0, 1), frame_samples, key_inds

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
                        batch_data_samples: list) -> dict:
        """Flatten the levels into tokens with padding masks and sine
        positions.

        Returns:
            dict: ``feat`` (B, L, C), ``feat_mask`` (B, L) bool (True =
            padding), ``feat_pos`` (B, L, C), ``spatial_shapes``
            (num_levels, 2) long.
        """
        if len(mlvl_feats) != self.num_feature_levels:
            raise ValueError(
                f'VOST: num_feature_levels={self.num_feature_levels} but '
                f'the backbone/neck gave {len(mlvl_feats)} levels')
        batch_size = mlvl_feats[0].size(0)
        pad_h, pad_w = batch_data_samples[0].metainfo['batch_input_shape']
        masks = mlvl_feats[0].new_ones((batch_size, pad_h, pad_w))
        for i, sample in enumerate(batch_data_samples):
            img_h, img_w = sample.metainfo['img_shape'][:2]
            masks[i, :img_h, :img_w] = 0
        feats, feat_masks, feat_pos, shapes = [], [], [], []
        for lvl, feat in enumerate(mlvl_feats):
            mask = F.interpolate(
                masks[None], size=feat.shape[-2:]).to(torch.bool)[0]
            pos = self.positional_encoding(mask)
            if self.num_feature_levels > 1:
                pos = pos + self.level_embed[lvl].view(1, -1, 1, 1)
            shapes.append(feat.shape[-2:])
            feats.append(feat.flatten(2).transpose(1, 2))
            feat_pos.append(pos.flatten(2).transpose(1, 2))
            feat_masks.append(mask.flatten(1))
        return dict(
            feat=torch.cat(feats, 1),
            feat_mask=torch.cat(feat_masks, 1),
            feat_pos=torch.cat(feat_pos, 1),
            spatial_shapes=torch.as_tensor(
                shapes, dtype=torch.long, device=feats[0].device))

    def forward_encoder(self, feat: Tensor, feat_mask: Tensor,
                        feat_pos: Tensor, **kwargs) -> Tensor:
        """Transformer encoder over every frame's tokens.

        Returns:
            Tensor: memory (B, L, C).
        """
        return self.encoder(
            query=feat, query_pos=feat_pos, key_padding_mask=feat_mask)

    def generate_queries(self, memory: Tensor, feat_mask: Tensor,
                         feat_pos: Tensor, spatial_shapes: Tensor,
                         batch_data_samples: list,
                         vlm_feats: Optional[dict] = None) -> dict:
        """Call the query generator (see :class:`BaseQueryGenerator`)."""
        return self.query_generator(
            memory,
            feat_mask,
            feat_pos,
            spatial_shapes,
            batch_data_samples,
            vlm_feats=vlm_feats,
            gt_pairs_mode=self.gt_pairs_mode)

    def forward_instance_decoder(self, query: Tensor, anchors: Tensor,
                                 memory: Tensor, feat_mask: Tensor,
                                 feat_pos: Tensor,
                                 query_mask: Optional[Tensor] = None,
                                 spatial_shapes: Optional[Tensor] = None
                                 ) -> Tuple[Tensor, Tensor]:
        """Pair-wise instance decoder; refines boxes in SGDet only.

        Returns:
            tuple[Tensor, Tensor]: (Li, B, Q, C) states and
            (Li + 1, B, Q, 8) references.
        """
        refine = self.gt_pairs_mode is None
        return self.instance_decoder(
            query,
            memory,
            feat_pos,
            feat_mask,
            anchors,
            query_mask=query_mask,
            sub_reg_branches=self.bbox_head.sub_reg_branches
            if refine else None,
            obj_reg_branches=self.bbox_head.obj_reg_branches
            if refine else None,
            spatial_shapes=spatial_shapes)

    def forward_relation_decoder(self, inst_hidden: Tensor,
                                 references: Tensor, memory: Tensor,
                                 feat_mask: Tensor, feat_pos: Tensor,
                                 query_mask: Optional[Tensor] = None,
                                 spatial_shapes: Optional[Tensor] = None
                                 ) -> Tensor:
        """Cascaded relation decoder from the last instance states.

        Returns:
            Tensor: (Lr, B, Q, C).
        """
        return self.relation_decoder(
            inst_hidden[-1],
            memory,
            feat_pos,
            feat_mask,
            references[-1],
            query_mask=query_mask,
            spatial_shapes=spatial_shapes)

    def forward_frames(self, frames: Tensor, frame_samples: list) -> dict:
        """Every spatial stage on all frames at once.

        Args:
            frames (Tensor): (B, C, H, W), B = N * T.
            frame_samples (list[SGDataSample]): B frame samples.

        Returns:
            dict: per-frame outputs, all with B first (after the layer dim):
            ``inst_hidden`` (Li, B, Q, C), ``references`` (Li+1, B, Q, 8),
            ``rel_hidden`` (Lr, B, Q, C), ``query_mask`` (B, Q) or None,
            ``memory`` (B, L, C), ``vlm_feats`` (dict or None),
            ``enc_outputs`` (dict or None).
        """
        vlm_feats = self.vlm_encoder(frames, frame_samples) \
            if self.vlm_encoder is not None else None
        enc_inputs = self.pre_transformer(
            self.extract_feat(frames), frame_samples)
        memory = self.forward_encoder(**enc_inputs)
        queries = self.generate_queries(
            memory,
            enc_inputs['feat_mask'],
            enc_inputs['feat_pos'],
            enc_inputs['spatial_shapes'],
            frame_samples,
            vlm_feats=vlm_feats)
        query_mask = queries.get('query_mask')
        inst_hidden, references = self.forward_instance_decoder(
            queries['query'], queries['anchors'], memory,
            enc_inputs['feat_mask'], enc_inputs['feat_pos'], query_mask,
            enc_inputs['spatial_shapes'])
        rel_hidden = self.forward_relation_decoder(
            inst_hidden, references, memory, enc_inputs['feat_mask'],
            enc_inputs['feat_pos'], query_mask, enc_inputs['spatial_shapes'])
        return dict(
            inst_hidden=inst_hidden,
            references=references,
            rel_hidden=rel_hidden,
            query_mask=query_mask,
            memory=memory,
            vlm_feats=vlm_feats,
            enc_outputs=queries.get('enc_outputs'))

    @staticmethod
    def select_frames(frame_outs: dict, inds: List[int],
                      num_frames: int) -> dict:
        """Keep frames ``inds`` of the per-frame outputs (key frames).

        ``vlm_feats`` entries named ``text_*`` are shared and kept whole.
        """
        if list(inds) == list(range(num_frames)):
            return frame_outs
        idx = torch.as_tensor(inds, device=frame_outs['memory'].device)
        out = dict(frame_outs)
        for key in ('inst_hidden', 'references', 'rel_hidden'):
            out[key] = frame_outs[key][:, idx]
        for key in ('query_mask', 'memory'):
            if frame_outs[key] is not None:
                out[key] = frame_outs[key][idx]
        if frame_outs['vlm_feats'] is not None:
            out['vlm_feats'] = {
                k: v if k.startswith('text_') or not torch.is_tensor(v)
                else v[idx]
                for k, v in frame_outs['vlm_feats'].items()
            }
        return out

    def forward_temporal(self, frame_outs: dict, frame_samples: list,
                         batch_data_samples: list) -> dict:
        """Temporal stage: each key frame's pair states attend to the pair
        states of its clip's reference frames.

        Args:
            frame_outs (dict): :meth:`forward_frames` outputs of all N * T
                frames.
            frame_samples (list[SGDataSample]): The N * T frame samples.
            batch_data_samples (list[TrackDataSample]): The N clips.

        Returns:
            dict: Key-frame inputs of ``temporal_head``: ``inst_hidden``
            (Lt, N, Q, C), ``references`` (Lt + 1, N, Q, 8), ``rel_hidden``
            (Lt, N, Q, C), ``query_mask`` (N, Q) or None, and ``selected``
            (the attended reference pairs per layer).
        """
        num_total = frame_outs['memory'].size(0)
        key_inds, ref_inds = clip_frame_index(
            batch_data_samples, num_total // len(batch_data_samples),
            causal=self.temporal_decoder.causal)
        key = self.select_frames(frame_outs, key_inds.tolist(), num_total)
        refs = self.select_frames(frame_outs, ref_inds.flatten().tolist(),
                                  num_total)
        num_clips, num_refs = ref_inds.shape
        # reference pair confidence from the spatial head's last layers
        # (only ranks the reference pairs: no gradient)
        ref_samples = [frame_samples[i] for i in ref_inds.flatten().tolist()]
        with torch.no_grad():
            cls, _, _, att, spa, con = self.bbox_head.forward_decoder_outs(
                refs, [s.metainfo for s in ref_samples], self.gt_pairs_mode,
                refs['vlm_feats'])
        scores = pair_confidence(cls[-1], att[-1], spa[-1], con[-1],
                                 use_class=self.task != 'predcls')

        def per_clip(x: Tensor) -> Tensor:
            """(N*n, Q, ...) reference rows -> (N, n*Q, ...) per clip."""
            return x.reshape(num_clips, -1, *x.shape[2:])

        refine = self.gt_pairs_mode is None
        out = self.temporal_decoder(
            key['inst_hidden'][-1],
            key['rel_hidden'][-1],
            key['references'][-1],
            per_clip(refs['inst_hidden'][-1]),
            per_clip(refs['rel_hidden'][-1]),
            per_clip(refs['references'][-1]),
            per_clip(scores),
            num_refs,
            key_mask=key['query_mask'],
            ref_mask=per_clip(refs['query_mask'])
            if refs['query_mask'] is not None else None,
            sub_reg_branches=self.temporal_head.sub_reg_branches
            if refine else None,
            obj_reg_branches=self.temporal_head.obj_reg_branches
            if refine else None)
        out['query_mask'] = key['query_mask']
        return out

    def _key_frame_outputs(self, batch_inputs: Tensor,
                           batch_data_samples: list) -> Tuple[dict, list]:
        """Run the frames and select the key frames.

        With a temporal stage, a frame shared by several clips of the batch
        (test mode: neighbouring key frames share reference frames) runs
        through the spatial stages once; the key outputs then carry the
        temporal stage's outputs under ``'temporal'``.
        """
        frames, frame_samples, key_inds = self.flatten_clips(
            batch_inputs, batch_data_samples)
        if self.temporal_decoder is not None and not self.training:
            uniq, inverse = unique_frame_index(frames, frame_samples)
            uniq_samples = [frame_samples[i] for i in uniq]
            if self.frame_cache is not None:
                outs = self.frame_cache.forward(self, self.forward_frames,
                                                frames[uniq], uniq_samples)
            else:
                outs = self.forward_frames(frames[uniq], uniq_samples)
            frame_outs = self.select_frames(outs, inverse.tolist(),
                                            len(uniq))
        else:
            frame_outs = self.forward_frames(frames, frame_samples)
        key_outs = self.select_frames(frame_outs, key_inds, len(frames))
        if self.temporal_decoder is not None:
            key_outs['temporal'] = self.forward_temporal(
                frame_outs, frame_samples, batch_data_samples)
        return key_outs, [frame_samples[i] for i in key_inds]

    # ------------------------------------------------------------------
    # modes
    # ------------------------------------------------------------------
    def loss(self, batch_inputs: Tensor,
             batch_data_samples: List[TrackDataSample]
             ) -> Union[dict, list]:
        """Losses of the key frames.

        Args:
            batch_inputs (Tensor): (N, T, C, H, W).
            batch_data_samples (list[TrackDataSample]): N clips.

        Returns:
            dict[str, Tensor]: Losses.
        """
        key_outs, key_samples = self._key_frame_outputs(
            batch_inputs, batch_data_samples)
        losses = self.bbox_head.loss(
            key_outs,
            key_samples,
            gt_pairs_mode=self.gt_pairs_mode,
            vlm_feats=key_outs['vlm_feats'])
        # Two-stage generators (DualSourcePairQueryGenerator) return their
        # encoder proposals, over all frames, and own their set loss.
        if key_outs.get('enc_outputs') is not None:
            losses.update(self.query_generator.loss(key_outs['enc_outputs']))
        if 'temporal' in key_outs:
            temporal_losses = self.temporal_head.loss(
                key_outs['temporal'],
                key_samples,
                gt_pairs_mode=self.gt_pairs_mode,
                vlm_feats=key_outs['vlm_feats'])
            losses.update({f't.{k}': v for k, v in temporal_losses.items()})
        return losses

    def predict(self,
                batch_inputs: Tensor,
                batch_data_samples: List[TrackDataSample],
                rescale: bool = True) -> list:
        """Scene graphs of the key frames.

        Returns:
            list[SGDataSample]: One per clip: the key frame's sample with
            ``pred_instances`` and ``pred_pairs`` (contract point 4).
        """
        key_outs, key_samples = self._key_frame_outputs(
            batch_inputs, batch_data_samples)
        head, outs = self._output_head(key_outs)
        box_probs = None
        if head.test_cfg.get('vlm_class_weight', 0) > 0:
            frames, _, key_inds = self.flatten_clips(batch_inputs,
                                                     batch_data_samples)
            box_probs = partial(box_class_probs, self.vlm_encoder,
                                frames[key_inds], key_samples)
        results = head.predict(
            outs,
            key_samples,
            rescale=rescale,
            gt_pairs_mode=self.gt_pairs_mode,
            vlm_feats=key_outs['vlm_feats'],
            box_class_probs=box_probs)
        for sample, (instances, pairs) in zip(key_samples, results):
            sample.pred_instances = instances
            sample.pred_pairs = pairs
        return key_samples

    def _output_head(self, key_outs: dict) -> tuple:
        """The head giving the final key-frame outputs and its inputs:
        the temporal head with the temporal stage, else the spatial head."""
        if 'temporal' in key_outs:
            return self.temporal_head, key_outs['temporal']
        return self.bbox_head, key_outs

    def _forward(self, batch_inputs: Tensor,
                 batch_data_samples: Optional[list] = None
                 ) -> Tuple[Tensor, ...]:
        """Raw head outputs of the key frames (``mode='tensor'``)."""
        key_outs, key_samples = self._key_frame_outputs(
            batch_inputs, batch_data_samples)
        head, outs = self._output_head(key_outs)
        return head.forward_decoder_outs(
            outs, [s.metainfo for s in key_samples], self.gt_pairs_mode,
            key_outs['vlm_feats'])
