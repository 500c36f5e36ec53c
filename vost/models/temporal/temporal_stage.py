"""The temporal stage: key frames' pairs attend to their reference frames'."""
from typing import Optional, Sequence

from mmengine.model import BaseModule
from torch import Tensor

from vost.models.stage_outputs import (FrameOutputs, PairStates,
                                       TemporalOutputs)
from vost.registry import MODELS
from .temporal_utils import temporal_head_cfg

__all__ = ['TemporalStage']


@MODELS.register_module()
class TemporalStage(BaseModule):
    """The second stage of VOST: temporal pair decoder and temporal head.

    The detector calls it as mmdet's DINO calls its ``CdnQueryGenerator``:
    the detector runs the spatial stages on every frame of the clips,
    scores the reference frames' pairs with its spatial head and hands the
    stage plain outputs; the stage owns everything temporal.

    - :meth:`forward` runs ``decoder`` (:class:`TemporalPairDecoder`):
      each key frame's pair states attend to the top reference pairs of
      its clip.
    - ``head``: the spatial head's config with one branch set per temporal
      layer (:func:`temporal_head_cfg`), initialised from the spatial head
      when a stage-1 checkpoint is loaded (the detector's
      :class:`TemporalHeadFromSpatial` pre-hook); :meth:`loss` prefixes its
      losses with ``t.``; the detector's ``predict`` post-processes its
      outputs.

    Args:
        decoder (dict): A :class:`TemporalPairDecoder` config.
        spatial_head (dict): The detector's spatial head config, its
            ``task`` included (set by the detector at build time); the
            temporal head is built from it.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 decoder: dict,
                 spatial_head: dict,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.decoder = MODELS.build(decoder)
        self.head = MODELS.build(
            temporal_head_cfg(spatial_head, self.decoder.num_layers))

    @property
    def causal(self) -> bool:
        """Whether reference frames must not follow their key frame."""
        return self.decoder.causal

    def forward(self, key: FrameOutputs, refs: FrameOutputs,
                ref_scores: Tensor) -> TemporalOutputs:
        """Each key frame's pair states attend to its reference frames'.

        Args:
            key (FrameOutputs): The spatial outputs of the N key frames.
            refs (FrameOutputs): Those of the N * n reference frames, clip
                by clip (n per clip).
            ref_scores (Tensor): (N * n, Q) the reference pairs'
                confidence (:func:`pair_confidence`; higher = attended).

        Returns:
            TemporalOutputs: The key frames' inputs of ``head``
            (``inst_hidden`` (Lt, N, Q, C), ``references`` (Lt + 1, N, Q,
            8), ``rel_hidden`` (Lt, N, Q, C), ``query_mask``) and
            ``selected``.
        """
        num_clips = key.num_frames
        num_refs = refs.num_frames // num_clips

        def per_clip(x: Optional[Tensor]) -> Optional[Tensor]:
            """(N*n, Q, ...) reference rows -> (N, n*Q, ...) per clip."""
            if x is None:
                return None
            return x.reshape(num_clips, -1, *x.shape[2:])

        ref_states = refs.last_states()
        refine = self.head.task == 'sgdet'
        return self.decoder(
            key=key.last_states(),
            refs=PairStates(
                inst=per_clip(ref_states.inst),
                rel=per_clip(ref_states.rel),
                anchors=per_clip(ref_states.anchors),
                mask=per_clip(ref_states.mask)),
            ref_scores=per_clip(ref_scores),
            num_refs=num_refs,
            sub_reg_branches=self.head.sub_reg_branches if refine else None,
            obj_reg_branches=self.head.obj_reg_branches if refine else None)

    def loss(self, temporal_outs: TemporalOutputs, key_samples: Sequence,
             vlm_feats: Optional[dict] = None) -> dict:
        """The temporal head's key-frame losses, prefixed ``t.``.

        Args:
            temporal_outs (TemporalOutputs): :meth:`forward` outputs.
            key_samples (Sequence[SGDataSample]): The N key frames.
            vlm_feats (dict, optional): The key frames' VLM features.

        Returns:
            dict[str, Tensor]: ``t.<loss name>`` losses.
        """
        losses = self.head.loss(temporal_outs, key_samples, vlm_feats)
        return {f't.{k}': v for k, v in losses.items()}
