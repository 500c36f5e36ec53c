"""VOST layers."""

__all__ = []
