"""Datasets, samplers and transforms for Action Genome."""
from .ag_meta import *  # noqa: F401,F403
from .ag_meta import __all__ as _meta_all

__all__ = list(_meta_all)
