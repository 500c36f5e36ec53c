"""VOST temporal stage: the temporal pair decoder, the stage module that
the detector calls, and their helpers."""
from .frame_cache import (FrameOutputCache, is_shared_vlm_feat,
                          select_frame_outputs, split_frame_outputs,
                          stack_frame_outputs)
from .temporal_pair_decoder import TemporalPairDecoder, select_top_references
from .temporal_stage import TemporalStage
from .temporal_utils import (LegacyTemporalKeys, TemporalHeadFromSpatial,
                             clip_frame_index, pair_confidence,
                             temporal_head_cfg, unique_frame_index)

__all__ = [
    'TemporalStage', 'FrameOutputCache', 'select_frame_outputs',
    'split_frame_outputs', 'stack_frame_outputs', 'is_shared_vlm_feat',
    'TemporalPairDecoder', 'select_top_references', 'TemporalHeadFromSpatial',
    'LegacyTemporalKeys', 'clip_frame_index', 'pair_confidence',
    'temporal_head_cfg', 'unique_frame_index'
]
