"""VOST: VLM-aided one-stage spatio-temporal scene graph generation."""
from .utils.compat import enable_vost_config_scope
from .version import __version__

# Lets mmengine resolve `_base_ = 'vost::...'` once vost is imported.
enable_vost_config_scope()

__all__ = ['__version__']
