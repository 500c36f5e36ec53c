"""The template of VOST-style scene graph detectors: clips in, key-frame
scene graphs out, over named stages (as mmdet's ``DetectionTransformer``
is the template of its DETRs)."""
from abc import abstractmethod
from typing import List, Optional, Tuple, Union

import torch
from mmdet.models.detectors.base import BaseDetector
from mmdet.structures import TrackDataSample
from torch import Tensor

from vost.models.stage_outputs import (FrameOutputs, HeadOutputs,
                                       KeyFrameOutputs, PairQueries)
from vost.models.temporal import clip_frame_index, pair_confidence
from .clips import flatten_clips
from .frame_cache import unique_frame_index

__all__ = ['BaseSGDetector']


class BaseSGDetector(BaseDetector):
    """Clip-level ``loss``, ``predict`` and ``_forward`` written once.

    Clips ``(N, T, C, H, W)`` are flattened to ``N * T`` frames;
    :meth:`forward_frames` runs every spatial stage on all frames at once
    (the stages hand each other keyword dicts and the named outputs of
    :mod:`vost.models.stage_outputs`); losses and predictions use the key
    frames. With a temporal stage the detector also scores the reference
    frames' pairs with its spatial head and hands the stage the key and
    reference frames' outputs. A subclass builds the modules and
    implements the stages: ``extract_feat``, ``pre_transformer`` (->
    encoder and decoder inputs), ``forward_encoder`` (-> ``memory``),
    ``generate_queries`` (-> :class:`PairQueries`),
    ``forward_instance_decoder`` and ``forward_relation_decoder``.

    Attributes a subclass sets: ``task``, ``bbox_head`` (the spatial
    head), ``query_generator``, ``vlm_encoder`` (or None), ``temporal`` (a
    :class:`TemporalStage` or None) and ``frame_cache`` (a
    :class:`FrameOutputCache` or None).
    """

    #: Clips (N, T, ...) to frames (N * T, ...); see :func:`flatten_clips`.
    flatten_clips = staticmethod(flatten_clips)

    # ------------------------------------------------------------------
    # the stages (a subclass implements them; see VOST for the contracts)
    # ------------------------------------------------------------------
    @abstractmethod
    def pre_transformer(self, mlvl_feats: Tuple[Tensor],
                        batch_data_samples: list) -> Tuple[dict, dict]:
        """Multi-level features -> (encoder inputs, decoder inputs)."""

    @abstractmethod
    def forward_encoder(self, **encoder_inputs) -> dict:
        """Encoder inputs -> ``dict(memory=...)``."""

    @abstractmethod
    def generate_queries(self, **decoder_inputs) -> PairQueries:
        """Decoder inputs -> the pair queries."""

    @abstractmethod
    def forward_instance_decoder(self, **decoder_inputs) -> dict:
        """Decoder inputs -> ``inst_hidden``, ``references``."""

    @abstractmethod
    def forward_relation_decoder(self, **decoder_inputs) -> dict:
        """Instance outputs and decoder inputs -> ``rel_hidden``."""

    def refine_class_scores(self, head_outs: HeadOutputs,
                            batch_inputs: Tensor,
                            batch_data_samples: list,
                            key_samples: list) -> HeadOutputs:
        """Test-time change of the key frames' head outputs before
        post-processing; none here (VOST ensembles the VLM's box
        classes)."""
        return head_outs

    # ------------------------------------------------------------------
    # the template
    # ------------------------------------------------------------------
    def forward_frames(self, frames: Tensor,
                       frame_samples: list) -> FrameOutputs:
        """Every spatial stage on all frames at once.

        Args:
            frames (Tensor): (B, C, H, W), B = N * T.
            frame_samples (list[SGDataSample]): B frame samples.

        Returns:
            FrameOutputs: The B frames' outputs.
        """
        vlm_feats = self.vlm_encoder(frames, frame_samples) \
            if self.vlm_encoder is not None else None
        encoder_inputs, decoder_inputs = self.pre_transformer(
            self.extract_feat(frames), frame_samples)
        decoder_inputs.update(self.forward_encoder(**encoder_inputs))
        queries = self.generate_queries(
            **decoder_inputs,
            batch_data_samples=frame_samples,
            vlm_feats=vlm_feats)
        decoder_inputs.update(query=queries.query, anchors=queries.anchors,
                              query_mask=queries.query_mask)
        inst_outs = self.forward_instance_decoder(**decoder_inputs)
        rel_outs = self.forward_relation_decoder(**inst_outs,
                                                 **decoder_inputs)
        return FrameOutputs(**inst_outs, **rel_outs,
                            query_mask=queries.query_mask,
                            memory=decoder_inputs['memory'],
                            vlm_feats=vlm_feats,
                            enc_outputs=queries.enc_outputs)

    def train(self, mode: bool = True) -> 'BaseSGDetector':
        """Switch the mode; the frame cache is cleared (its entries belong
        to the weights they were computed with)."""
        if getattr(self, 'frame_cache', None) is not None:
            self.frame_cache.clear()
        return super().train(mode)

    def _run_frames(self, frames: Tensor, frame_samples: list) -> FrameOutputs:
        """The spatial outputs of every frame. At test time with a temporal
        stage a frame shared by several clips runs once
        (:func:`unique_frame_index`) and, with a frame cache, frames of the
        previous batches are reused."""
        if self.training or self.temporal is None:
            return self.forward_frames(frames, frame_samples)
        uniq, inverse = unique_frame_index(frames, frame_samples)
        uniq_samples = [frame_samples[i] for i in uniq]
        if self.frame_cache is not None:
            outs = self._cached_forward_frames(frames[uniq], uniq_samples)
        else:
            outs = self.forward_frames(frames[uniq], uniq_samples)
        return outs.select(inverse.tolist())

    def _cached_forward_frames(self, frames: Tensor,
                               frame_samples: list) -> FrameOutputs:
        """:meth:`forward_frames` of distinct frames, cached ones reused
        (``enc_outputs`` None)."""
        cache = self.frame_cache
        items = cache.lookup(frames, frame_samples)
        missing = [i for i, it in enumerate(items) if it is None]
        if missing:
            outs = self.forward_frames(frames[missing],
                                       [frame_samples[i] for i in missing])
            for i, item in zip(missing, outs.split()):
                items[i] = item
        outs = FrameOutputs.cat(items)
        if outs is None:  # shapes differ across batches: recompute all
            cache.misses += len(frames) - len(missing)
            items = self.forward_frames(frames, frame_samples).split()
            outs = FrameOutputs.cat(items)
        cache.store(frames, frame_samples, items)
        return outs

    def _forward_temporal(self, frame_outs: FrameOutputs, frame_samples: list,
                          batch_data_samples: list):
        """The temporal stage on the key frames and their reference frames,
        whose pairs the spatial head's last layer scores (no gradient: the
        score only ranks them).

        Returns:
            TemporalOutputs: The temporal stage's outputs.
        """
        key_inds, ref_inds = clip_frame_index(
            batch_data_samples,
            frame_outs.num_frames // len(batch_data_samples),
            causal=self.temporal.causal)
        key = frame_outs.select(key_inds.tolist())
        flat_refs = ref_inds.flatten().tolist()
        refs = frame_outs.select(flat_refs)
        with torch.no_grad():
            ref_logits = self.bbox_head(
                refs, [frame_samples[i].metainfo for i in flat_refs],
                vlm_feats=refs.vlm_feats).last()
        scores = pair_confidence(ref_logits,
                                 use_class=self.task != 'predcls')
        return self.temporal(key=key, refs=refs, ref_scores=scores)

    def _key_frame_outputs(self, batch_inputs: Tensor,
                           batch_data_samples: list
                           ) -> Tuple[KeyFrameOutputs, list]:
        """Run the frames (and the temporal stage) and select the key
        frames.

        Returns:
            tuple[KeyFrameOutputs, list]: The key frames' outputs and their
            N samples.
        """
        clips = self.flatten_clips(batch_inputs, batch_data_samples)
        frame_outs = self._run_frames(clips.frames, clips.frame_samples)
        key = KeyFrameOutputs(spatial=frame_outs.select(clips.key_inds))
        if self.temporal is not None:
            key.temporal = self._forward_temporal(
                frame_outs, clips.frame_samples, batch_data_samples)
        return key, [clips.frame_samples[i] for i in clips.key_inds]

    def _output_head(self, key: KeyFrameOutputs) -> tuple:
        """The head giving the final key-frame outputs and its inputs:
        the temporal head with the temporal stage, else the spatial head.

        Returns:
            tuple[VOSTHead, DecoderOutputs]: The head and its inputs.
        """
        if self.temporal is not None:
            return self.temporal.head, key.temporal
        return self.bbox_head, key.spatial

    # ------------------------------------------------------------------
    # modes
    # ------------------------------------------------------------------
    def loss(self, batch_inputs: Tensor,
             batch_data_samples: List[TrackDataSample]
             ) -> Union[dict, list]:
        """Losses of the key frames (the spatial head's, the query
        generator's and, with a temporal stage, its ``t.`` losses).

        Args:
            batch_inputs (Tensor): (N, T, C, H, W).
            batch_data_samples (list[TrackDataSample]): N clips.

        Returns:
            dict[str, Tensor]: Losses.
        """
        key, key_samples = self._key_frame_outputs(batch_inputs,
                                                   batch_data_samples)
        vlm_feats = key.spatial.vlm_feats
        losses = self.bbox_head.loss(key.spatial, key_samples,
                                     vlm_feats=vlm_feats)
        losses.update(self.query_generator.loss(key.spatial.enc_outputs))
        if self.temporal is not None:
            losses.update(self.temporal.loss(key.temporal, key_samples,
                                             vlm_feats))
        return losses

    def predict(self, batch_inputs: Tensor,
                batch_data_samples: List[TrackDataSample],
                rescale: bool = True) -> list:
        """Scene graphs of the key frames.

        Returns:
            list[SGDataSample]: One per clip: the key frame's sample with
            ``pred_instances`` and ``pred_pairs`` (docs/outputs.md).
        """
        key, key_samples = self._key_frame_outputs(batch_inputs,
                                                   batch_data_samples)
        head, outs = self._output_head(key)
        head_outs = head(outs, [s.metainfo for s in key_samples],
                         vlm_feats=key.spatial.vlm_feats, text_only=True)
        head_outs = self.refine_class_scores(head_outs, batch_inputs,
                                             batch_data_samples, key_samples)
        results = head.predict_by_feat(head_outs, key_samples,
                                       rescale=rescale)
        for sample, (instances, pairs) in zip(key_samples, results):
            sample.pred_instances = instances
            sample.pred_pairs = pairs
        return key_samples

    def _forward(self, batch_inputs: Tensor,
                 batch_data_samples: Optional[list] = None) -> HeadOutputs:
        """Raw head outputs of the key frames (``mode='tensor'``)."""
        key, key_samples = self._key_frame_outputs(batch_inputs,
                                                   batch_data_samples)
        head, outs = self._output_head(key)
        return head(outs, [s.metainfo for s in key_samples],
                    vlm_feats=key.spatial.vlm_feats)
