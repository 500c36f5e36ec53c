"""VOST visualization."""

__all__ = []
