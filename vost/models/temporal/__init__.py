"""VOST temporal stage: the temporal pair decoder and its helpers."""
from .temporal_pair_decoder import TemporalPairDecoder, select_top_references
from .temporal_stage import (TemporalHeadFromSpatial, clip_frame_index,
                             pair_confidence, temporal_head_cfg,
                             unique_frame_index)

__all__ = [
    'TemporalPairDecoder', 'select_top_references', 'TemporalHeadFromSpatial',
    'clip_frame_index', 'pair_confidence', 'temporal_head_cfg',
    'unique_frame_index'
]
