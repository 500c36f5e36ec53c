"""VOST heads."""

__all__ = []
