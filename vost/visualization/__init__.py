"""Scene-graph visualisation: triplet ranking, a local visualizer, frame
graphs with track colours and relation timelines."""
from .frame_drawer import BackgroundFrameDrawer, FrameDrawer
from .graph_visualizer import SGGraphVisualizer, node_name, track_color
from .html_viewer import HtmlViewerWriter, build_viewer_from_outputs
from .sg_visualizer import SGLocalVisualizer
from .timeline import plot_relation_timeline
from .triplets import (class_name, gt_pairs_to_triplets,
                       pair_predictions_to_triplets, to_numpy, triplet_text)

__all__ = [
    'SGLocalVisualizer', 'SGGraphVisualizer', 'pair_predictions_to_triplets',
    'gt_pairs_to_triplets', 'triplet_text', 'class_name', 'to_numpy',
    'plot_relation_timeline', 'track_color', 'node_name',
    'BackgroundFrameDrawer', 'FrameDrawer', 'HtmlViewerWriter',
    'build_viewer_from_outputs'
]
