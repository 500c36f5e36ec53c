"""VOST samplers."""

__all__ = []
