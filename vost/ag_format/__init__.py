"""The Action Genome on-disk format: read, check and write the annotation
files (pure Python + numpy: no torch, no mmengine).

It sits below the dataset, the evaluation and the tools, which all build
the same ground truth from :func:`load_action_genome`.
"""
from .files import (
    RAW_OBJECT_CLASS_LINES,
    RAW_RELATIONSHIP_CLASS_LINES,
    AGAnnotationError,
    read_class_file,
    write_annotations,
)
from .parsing import (
    ANNOTATION_FILES,
    SPLITS,
    TASKS,
    LoadOptions,
    format_load_report,
    load_action_genome,
)

__all__ = [
    'AGAnnotationError', 'LoadOptions', 'load_action_genome',
    'format_load_report', 'read_class_file', 'write_annotations',
    'ANNOTATION_FILES', 'SPLITS', 'TASKS', 'RAW_OBJECT_CLASS_LINES',
    'RAW_RELATIONSHIP_CLASS_LINES'
]
