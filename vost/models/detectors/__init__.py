"""VOST detectors."""

__all__ = []
