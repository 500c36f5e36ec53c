"""VOST detectors."""
from .base_sg_detector import BaseSGDetector
from .frame_cache import FrameOutputCache, unique_frame_index
from .vost import VOST

__all__ = ['BaseSGDetector', 'VOST', 'FrameOutputCache', 'unique_frame_index']
