"""VOST hooks."""
from .atomic_checkpoint_hook import AtomicCheckpointHook
from .freeze_modules_hook import FreezeModulesHook
from .logger_hook import SGLoggerHook
from .matching_stability_hook import MatchingStabilityHook, flip_rate
from .rng_state_hook import RNGStateHook, get_rng_state, set_rng_state
from .sg_visualization_hook import SGVisualizationHook

__all__ = [
    'AtomicCheckpointHook', 'FreezeModulesHook', 'SGLoggerHook',
    'MatchingStabilityHook', 'SGVisualizationHook', 'RNGStateHook',
    'flip_rate', 'get_rng_state', 'set_rng_state'
]
