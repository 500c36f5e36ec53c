"""The template of VOST-style scene graph detectors: clips in, key-frame
scene graphs out, over named stages (as mmdet's ``DetectionTransformer``
is the template of its DETRs)."""
from abc import abstractmethod
from functools import partial
from typing import List, Optional, Tuple, Union

from mmdet.models.detectors.base import BaseDetector
from mmdet.structures import TrackDataSample
from torch import Tensor

from vost.models.temporal import select_frame_outputs
from vost.models.vlm.box_classifier import box_class_probs
from .clips import flatten_clips

__all__ = ['BaseSGDetector']


class BaseSGDetector(BaseDetector):
    """Clip-level ``loss``, ``predict`` and ``_forward`` written once.

    Clips ``(N, T, C, H, W)`` are flattened to ``N * T`` frames;
    :meth:`forward_frames` runs every spatial stage on all frames at once
    (the stages hand each other keyword dicts); losses and predictions use
    the key frames. A subclass builds the modules and implements the
    stages: ``extract_feat``, ``pre_transformer`` (-> encoder and decoder
    inputs), ``forward_encoder`` (-> ``memory``), ``generate_queries``
    (-> decoder inputs and the generator's outputs),
    ``forward_instance_decoder`` and ``forward_relation_decoder``.

    Attributes a subclass sets: ``bbox_head`` (the spatial head),
    ``query_generator``, ``vlm_encoder`` (or None) and ``temporal`` (a
    :class:`TemporalStage` or None).
    """

    @property
    def gt_pairs_mode(self) -> Optional[str]:
        """The head's: None for SGDet, else the task (queries from GT
        pairs)."""
        return self.bbox_head.gt_pairs_mode

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
    def generate_queries(self, **decoder_inputs) -> Tuple[dict, dict]:
        """Decoder inputs -> (query inputs, the generator's outputs)."""

    @abstractmethod
    def forward_instance_decoder(self, **decoder_inputs) -> dict:
        """Decoder inputs -> ``inst_hidden``, ``references``."""

    @abstractmethod
    def forward_relation_decoder(self, **decoder_inputs) -> dict:
        """Instance outputs and decoder inputs -> ``rel_hidden``."""

    # ------------------------------------------------------------------
    # the template
    # ------------------------------------------------------------------
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
        encoder_inputs, decoder_inputs = self.pre_transformer(
            self.extract_feat(frames), frame_samples)
        decoder_inputs.update(self.forward_encoder(**encoder_inputs))
        query_inputs, head_inputs = self.generate_queries(
            **decoder_inputs,
            batch_data_samples=frame_samples,
            vlm_feats=vlm_feats)
        decoder_inputs.update(query_inputs)
        inst_outs = self.forward_instance_decoder(**decoder_inputs)
        rel_outs = self.forward_relation_decoder(**inst_outs,
                                                 **decoder_inputs)
        return dict(**inst_outs, **rel_outs, **head_inputs,
                    query_mask=decoder_inputs['query_mask'],
                    memory=decoder_inputs['memory'], vlm_feats=vlm_feats)

    def _key_frame_outputs(self, batch_inputs: Tensor,
                           batch_data_samples: list) -> Tuple[dict, list]:
        """Run the frames and select the key frames.

        With a temporal stage the frames run through
        :meth:`TemporalStage.forward_frames` (at test time a frame shared by
        several clips runs once), and the key outputs carry the temporal
        stage's outputs under ``'temporal'``.
        """
        frames, frame_samples, key_inds = self.flatten_clips(
            batch_inputs, batch_data_samples)
        if self.temporal is None:
            frame_outs = self.forward_frames(frames, frame_samples)
        else:
            frame_outs = self.temporal.forward_frames(
                self, self.forward_frames, frames, frame_samples)
        key_outs = select_frame_outputs(frame_outs, key_inds)
        if self.temporal is not None:
            key_outs['temporal'] = self.temporal(
                frame_outs, frame_samples, batch_data_samples, self.bbox_head)
        return key_outs, [frame_samples[i] for i in key_inds]

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
        key_outs, key_samples = self._key_frame_outputs(
            batch_inputs, batch_data_samples)
        losses = self.bbox_head.loss(
            key_outs, key_samples, vlm_feats=key_outs['vlm_feats'])
        losses.update(self.query_generator.loss(key_outs['enc_outputs']))
        if self.temporal is not None:
            losses.update(self.temporal.loss(
                key_outs['temporal'], key_samples, key_outs['vlm_feats']))
        return losses

    def predict(self, batch_inputs: Tensor,
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
        results = head.predict(outs, key_samples, rescale=rescale,
                               vlm_feats=key_outs['vlm_feats'],
                               box_class_probs=box_probs)
        for sample, (instances, pairs) in zip(key_samples, results):
            sample.pred_instances = instances
            sample.pred_pairs = pairs
        return key_samples

    def _output_head(self, key_outs: dict) -> tuple:
        """The head giving the final key-frame outputs and its inputs:
        the temporal head with the temporal stage, else the spatial head."""
        if self.temporal is not None:
            return self.temporal.head, key_outs['temporal']
        return self.bbox_head, key_outs

    def _forward(self, batch_inputs: Tensor,
                 batch_data_samples: Optional[list] = None
                 ) -> Tuple[Tensor, ...]:
        """Raw head outputs of the key frames (``mode='tensor'``)."""
        key_outs, key_samples = self._key_frame_outputs(
            batch_inputs, batch_data_samples)
        head, outs = self._output_head(key_outs)
        return head.forward_decoder_outs(
            outs, [s.metainfo for s in key_samples], key_outs['vlm_feats'])

