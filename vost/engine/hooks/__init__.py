"""VOST hooks."""
from .sg_visualization_hook import SGVisualizationHook

__all__ = ['SGVisualizationHook']
