"""The temporal stage: key frames' pairs attend to their reference frames'."""
from typing import Callable, Optional, Sequence

import torch
from mmengine.model import BaseModule
from torch import Tensor, nn

from vost.registry import MODELS
from .frame_cache import FrameOutputCache, select_frame_outputs
from .temporal_utils import (clip_frame_index, pair_confidence,
                             temporal_head_cfg, unique_frame_index)

__all__ = ['TemporalStage']

@MODELS.register_module()
class TemporalStage(BaseModule):
    """The second stage of VOST: temporal pair decoder and temporal head.

    The detector calls it as mmdet's DINO calls its ``CdnQueryGenerator``:
    it owns everything temporal, the detector only hands it the spatial
    outputs of every frame of the clips.

    - :meth:`forward_frames` runs the detector's spatial stages on the
      clips' frames; at test time a frame shared by several clips of the
      batch runs once (:func:`unique_frame_index`) and, with
      ``frame_cache_size > 0``, the outputs of the last frames are kept
      across batches (:class:`FrameOutputCache`).
    - :meth:`forward` scores the reference frames' pairs with the spatial
      head's last layer (no gradient: the score only ranks them) and runs
      ``decoder`` (:class:`TemporalPairDecoder`): each key frame's pair
      states attend to the top reference pairs of its clip.
    - ``head``: the spatial head's config with one branch set per temporal
      layer (:func:`temporal_head_cfg`), initialised from the spatial head
      when a stage-1 checkpoint is loaded (the detector's
      :class:`TemporalHeadFromSpatial` pre-hook); :meth:`loss` prefixes its
      losses with ``t.``, :meth:`predict` gives the key frames' graphs.

    Args:
        decoder (dict): A :class:`TemporalPairDecoder` config.
        spatial_head (dict): The detector's spatial head config, its
            ``task`` included (set by the detector at build time); the
            temporal head is built from it, and the stage reads the task
            from that head.
        frame_cache_size (int): Frames whose spatial outputs are kept
            across test batches; 0 (default) disables the cache.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 decoder: dict,
                 spatial_head: dict,
                 frame_cache_size: int = 0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.decoder = MODELS.build(decoder)
        self.head = MODELS.build(
            temporal_head_cfg(spatial_head, self.decoder.num_layers))
        self.frame_cache = FrameOutputCache(frame_cache_size) \
            if frame_cache_size else None

    @property
    def gt_pairs_mode(self) -> Optional[str]:
        """The temporal head's: None for SGDet, else the task."""
        return self.head.gt_pairs_mode

    def forward_frames(self, model: nn.Module, forward_frames: Callable,
                       frames: Tensor, frame_samples: Sequence) -> dict:
        """The spatial outputs of every frame, shared frames run once.

        Args:
            model (nn.Module): The detector (its weights version keys the
                cache).
            forward_frames (Callable): ``VOST.forward_frames``.
            frames (Tensor): (B, C, H, W) flattened clip frames.
            frame_samples (Sequence[SGDataSample]): B frame samples.

        Returns:
            dict: ``forward_frames`` outputs of the B frames.
        """
        if self.training:
            return forward_frames(frames, frame_samples)
        uniq, inverse = unique_frame_index(frames, frame_samples)
        uniq_samples = [frame_samples[i] for i in uniq]
        if self.frame_cache is not None:
            outs = self.frame_cache.forward(model, forward_frames,
                                            frames[uniq], uniq_samples)
        else:
            outs = forward_frames(frames[uniq], uniq_samples)
        return select_frame_outputs(outs, inverse.tolist())

    def forward(self, frame_outs: dict, frame_samples: Sequence,
                batch_data_samples: Sequence, spatial_head: nn.Module) -> dict:
        """Each key frame's pair states attend to its reference frames'.

        Args:
            frame_outs (dict): ``VOST.forward_frames`` outputs of the N * T
                frames.
            frame_samples (Sequence[SGDataSample]): The N * T frame samples.
            batch_data_samples (Sequence[TrackDataSample]): The N clips.
            spatial_head (nn.Module): The detector's spatial head, which
                scores the reference pairs.

        Returns:
            dict: Key-frame inputs of ``head``: ``inst_hidden``
            (Lt, N, Q, C), ``references`` (Lt + 1, N, Q, 8), ``rel_hidden``
            (Lt, N, Q, C), ``query_mask`` (N, Q) or None, and ``selected``
            (the attended reference pairs per layer).
        """
        num_total = frame_outs['memory'].size(0)
        key_inds, ref_inds = clip_frame_index(
            batch_data_samples, num_total // len(batch_data_samples),
            causal=self.decoder.causal)
        key = select_frame_outputs(frame_outs, key_inds.tolist())
        flat_refs = ref_inds.flatten().tolist()
        refs = select_frame_outputs(frame_outs, flat_refs)
        num_clips, num_refs = ref_inds.shape
        ref_metas = [frame_samples[i].metainfo for i in flat_refs]
        with torch.no_grad():
            cls, _, _, att, spa, con = spatial_head.forward_decoder_outs(
                refs, ref_metas, refs['vlm_feats'])
        scores = pair_confidence(cls[-1], att[-1], spa[-1], con[-1],
                                 use_class=self.head.task != 'predcls')

        def per_clip(x: Optional[Tensor]) -> Optional[Tensor]:
            """(N*n, Q, ...) reference rows -> (N, n*Q, ...) per clip."""
            if x is None:
                return None
            return x.reshape(num_clips, -1, *x.shape[2:])

        refine = self.gt_pairs_mode is None
        out = self.decoder(
            key['inst_hidden'][-1],
            key['rel_hidden'][-1],
            key['references'][-1],
            per_clip(refs['inst_hidden'][-1]),
            per_clip(refs['rel_hidden'][-1]),
            per_clip(refs['references'][-1]),
            per_clip(scores),
            num_refs,
            key_mask=key['query_mask'],
            ref_mask=per_clip(refs['query_mask']),
            sub_reg_branches=self.head.sub_reg_branches if refine else None,
            obj_reg_branches=self.head.obj_reg_branches if refine else None)
        out['query_mask'] = key['query_mask']
        return out

    def loss(self, temporal_outs: dict, key_samples: Sequence,
             vlm_feats: Optional[dict] = None) -> dict:
        """The temporal head's key-frame losses, prefixed ``t.``.

        Args:
            temporal_outs (dict): :meth:`forward` outputs.
            key_samples (Sequence[SGDataSample]): The N key frames.
            vlm_feats (dict, optional): The key frames' VLM features.

        Returns:
            dict[str, Tensor]: ``t.<loss name>`` losses.
        """
        losses = self.head.loss(temporal_outs, key_samples, vlm_feats)
        return {f't.{k}': v for k, v in losses.items()}
