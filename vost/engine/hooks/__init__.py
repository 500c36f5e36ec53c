"""VOST hooks."""
from .rng_state_hook import RNGStateHook, get_rng_state, set_rng_state
from .sg_visualization_hook import SGVisualizationHook

__all__ = [
    'SGVisualizationHook', 'RNGStateHook', 'get_rng_state', 'set_rng_state'
]
