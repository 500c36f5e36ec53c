"""Engine parts: hooks, optimiser constructors, loops."""
from .hooks import *  # noqa: F401,F403
from .loops import ResumableEpochBasedTrainLoop

__all__ = ['ResumableEpochBasedTrainLoop']
