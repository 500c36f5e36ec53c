"""Datasets and transforms for Action Genome."""
from .action_genome import (
    ActionGenomeDataset,
    AGAnnotationError,
    format_load_report,
    load_action_genome,
)
from vost.structures.ag_meta import *  # noqa: F401,F403
from vost.structures.ag_meta import __all__ as _meta_all
from .transforms import LoadSGAnnotations, PackSGInputs, SGClipSample

__all__ = list(_meta_all) + [
    'ActionGenomeDataset', 'AGAnnotationError', 'load_action_genome',
    'format_load_report', 'SGClipSample', 'LoadSGAnnotations', 'PackSGInputs'
]
