"""Functional (numpy) core of the Action Genome scene graph evaluation."""
from .box_iou import IOU_TYPES, aligned_box_iou
from .candidates import (CONSTRAINTS, Candidates, build_candidates,
                         segmented_topk_asc)
from .gt_triplets import SUBJECT_MODES, GTTriplets, build_gt_triplets
from .model_outputs import deduplicate_predictions, sg_sample_to_prediction
from .prediction_format import (PREDICTION_FIELDS, PredictionBatch,
                                PredictionFormatError, check_prediction,
                                check_structure, dump_predictions,
                                load_predictions, stack_predictions)
from .sgg_recall import (build_match_index, evaluate_sgg, match_candidates,
                         metric_keys,
                         recall_from_first_rank)
from .sgg_table import format_sgg_table
from .frequency_subsets import (format_frequency_groups, frequency_groups,
                                training_frequency_subsets)
from .subset_recalls import evaluate_subsets, format_subset_tables, \
    plan_subsets
from .world_subsets import read_world_subsets

__all__ = [
    'IOU_TYPES', 'aligned_box_iou', 'CONSTRAINTS', 'Candidates',
    'build_candidates', 'segmented_topk_asc', 'GTTriplets',
    'build_gt_triplets', 'SUBJECT_MODES', 'PREDICTION_FIELDS',
    'PredictionBatch',
    'PredictionFormatError', 'check_prediction', 'check_structure',
    'deduplicate_predictions',
    'dump_predictions', 'load_predictions', 'sg_sample_to_prediction',
    'stack_predictions', 'build_match_index', 'evaluate_sgg',
    'match_candidates', 'metric_keys',
    'recall_from_first_rank', 'format_sgg_table', 'frequency_groups',
    'training_frequency_subsets', 'format_frequency_groups', 'plan_subsets',
    'evaluate_subsets', 'format_subset_tables', 'read_world_subsets'
]
