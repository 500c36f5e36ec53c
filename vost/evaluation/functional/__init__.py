"""VOST functional."""

__all__ = []
