"""VOST vlm."""

__all__ = []
