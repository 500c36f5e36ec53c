"""Scene-graph visualisation: triplet ranking and a local visualizer."""
from .sg_visualizer import SGLocalVisualizer
from .triplets import (class_name, gt_pairs_to_triplets,
                       pair_predictions_to_triplets, to_numpy, triplet_text)

__all__ = [
    'SGLocalVisualizer', 'pair_predictions_to_triplets',
    'gt_pairs_to_triplets', 'triplet_text', 'class_name', 'to_numpy'
]
