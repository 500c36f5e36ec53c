"""Action Genome: annotation parsing and the dataset."""
from .dataset import ActionGenomeDataset
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
    format_load_report,
    load_action_genome,
)

__all__ = [
    'ActionGenomeDataset', 'AGAnnotationError', 'load_action_genome',
    'format_load_report', 'read_class_file', 'write_annotations',
    'ANNOTATION_FILES', 'SPLITS', 'TASKS', 'RAW_OBJECT_CLASS_LINES',
    'RAW_RELATIONSHIP_CLASS_LINES'
]
