"""VOST detectors."""
from .base_sg_detector import BaseSGDetector
from .vost import VOST

__all__ = ['BaseSGDetector', 'VOST']
