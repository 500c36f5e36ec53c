"""VOST feature_banks."""

__all__ = []
