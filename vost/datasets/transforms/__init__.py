"""VOST transforms."""

__all__ = []
