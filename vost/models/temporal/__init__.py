"""VOST temporal."""

__all__ = []
