"""Engine parts: the runner, hooks, optimiser constructors, loops."""
from .hooks import *  # noqa: F401,F403
from .loops import ResumableEpochBasedTrainLoop
from .optim_wrappers import CPUAutocastOptimWrapper
from .runner import SGRunner, fill_from_model

__all__ = [
    'ResumableEpochBasedTrainLoop', 'SGRunner', 'fill_from_model',
    'CPUAutocastOptimWrapper'
]
