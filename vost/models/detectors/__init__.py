"""VOST detectors."""
from .vost import VOST

__all__ = ['VOST']
