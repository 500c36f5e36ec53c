"""VOST transforms: clip sampling, annotation loading, packing."""
from .formatting import PackSGInputs
from .frame_sampling import SGClipSample
from .loading import LoadSGAnnotations

__all__ = ['SGClipSample', 'LoadSGAnnotations', 'PackSGInputs']
