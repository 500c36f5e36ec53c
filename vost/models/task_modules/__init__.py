"""VOST task_modules."""

__all__ = []
