"""VOST: VLM-aided one-stage spatio-temporal scene graph generation."""
from .version import __version__

__all__ = ['__version__']
