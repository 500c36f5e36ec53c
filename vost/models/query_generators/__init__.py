"""VOST query_generators."""

__all__ = []
