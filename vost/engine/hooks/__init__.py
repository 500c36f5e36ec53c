"""VOST hooks."""

__all__ = []
