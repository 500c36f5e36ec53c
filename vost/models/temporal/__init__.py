"""VOST temporal stage: the temporal pair decoder and its helpers."""
from .frame_cache import (FrameOutputCache, split_frame_outputs,
                          stack_frame_outputs)
from .temporal_pair_decoder import TemporalPairDecoder, select_top_references
from .temporal_stage import (TemporalHeadFromSpatial, clip_frame_index,
                             pair_confidence, temporal_head_cfg,
                             unique_frame_index)

__all__ = [
    'FrameOutputCache', 'split_frame_outputs', 'stack_frame_outputs',
    'TemporalPairDecoder', 'select_top_references', 'TemporalHeadFromSpatial',
    'clip_frame_index', 'pair_confidence', 'temporal_head_cfg',
    'unique_frame_index'
]
