"""VOST temporal stage: the temporal pair decoder, the stage module that
the detector calls, and their helpers."""
from .temporal_pair_decoder import TemporalPairDecoder, select_top_references
from .temporal_stage import TemporalStage
from .temporal_utils import (TemporalHeadFromSpatial, clip_frame_index,
                             pair_confidence, temporal_head_cfg)

__all__ = [
    'TemporalStage', 'TemporalPairDecoder', 'select_top_references',
    'TemporalHeadFromSpatial', 'clip_frame_index', 'pair_confidence',
    'temporal_head_cfg'
]
