"""Data structures."""
from .sg_data_sample import SGDataSample

__all__ = ['SGDataSample']
