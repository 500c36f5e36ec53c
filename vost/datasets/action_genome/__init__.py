"""Action Genome: the dataset, and the annotation reader it uses
(:mod:`vost.ag_format`, re-exported here)."""
from vost.ag_format import (
    ANNOTATION_FILES,
    RAW_OBJECT_CLASS_LINES,
    RAW_RELATIONSHIP_CLASS_LINES,
    SPLITS,
    TASKS,
    AGAnnotationError,
    LoadOptions,
    format_load_report,
    load_action_genome,
    read_class_file,
    write_annotations,
)
from .dataset import ActionGenomeDataset

__all__ = [
    'ActionGenomeDataset', 'AGAnnotationError', 'LoadOptions',
    'load_action_genome', 'format_load_report', 'read_class_file',
    'write_annotations', 'ANNOTATION_FILES', 'SPLITS', 'TASKS',
    'RAW_OBJECT_CLASS_LINES', 'RAW_RELATIONSHIP_CLASS_LINES'
]
