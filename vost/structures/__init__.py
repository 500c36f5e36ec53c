"""Data structures, and the Action Genome tables below everything.

``SGDataSample`` (built on mmdet's ``DetDataSample``) is imported on first
use, so that the tables (``vost.structures.ag_meta``) and the pair view load
without mmdet and mmcv.
"""
from .ag_meta import *  # noqa: F401,F403
from .ag_meta import __all__ as _meta_all
from .gt_pair_view import gt_pair_view

__all__ = list(_meta_all) + ['SGDataSample', 'gt_pair_view']  # noqa: F405


def __getattr__(name: str):
    """Import :class:`SGDataSample` lazily (PEP 562)."""
    if name == 'SGDataSample':
        from .sg_data_sample import SGDataSample
        return SGDataSample
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
