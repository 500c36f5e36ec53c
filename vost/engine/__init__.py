"""Engine parts: hooks, optimiser constructors, loops."""
from .hooks import *  # noqa: F401,F403

__all__ = []
