"""VOST testing."""

__all__ = []
