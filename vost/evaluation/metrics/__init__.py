"""VOST metrics."""

__all__ = []
