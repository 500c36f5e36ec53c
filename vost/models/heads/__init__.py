"""VOST heads."""
from .pair_post_processing import (
    build_frame_prediction,
    predict_frame,
    rank_pairs,
    rescale_boxes,
)
from .pair_targets import pair_targets
from .vost_head import VOSTHead
from .vost_head_loss import VOSTHeadLossMixin

__all__ = [
    'VOSTHead', 'VOSTHeadLossMixin', 'pair_targets',
    'rank_pairs', 'build_frame_prediction', 'rescale_boxes', 'predict_frame'
]
