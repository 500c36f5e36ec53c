"""VOST heads."""
from .pair_post_processing import (
    build_frame_prediction,
    rank_pairs,
    rescale_boxes,
)
from .vost_head import VOSTHead, frame_gt_pairs

__all__ = [
    'VOSTHead', 'frame_gt_pairs', 'rank_pairs', 'build_frame_prediction',
    'rescale_boxes'
]
