"""Scene graphs a person can read and a program can use: one node per
object, identities across frames, relation intervals, JSON Schemas and
networkx exports (docs/outputs.md)."""
from .export import (SCHEMA_DIR, frame_graph_to_networkx,
                     frame_graph_to_node_link, load_schema,
                     validate_scene_graph)
from .frame_graph import FrameGraphBuilder
from .node_tracker import DEFAULT_TRACKER, NodeTracker
from .relation_intervals import relation_intervals, relation_presence
from .video_graph import (FRAME_SCHEMA_ID, VIDEO_SCHEMA_ID,
                          VideoSceneGraphBuilder)

__all__ = [
    'FrameGraphBuilder', 'NodeTracker', 'DEFAULT_TRACKER',
    'VideoSceneGraphBuilder', 'relation_intervals', 'relation_presence',
    'validate_scene_graph', 'load_schema', 'SCHEMA_DIR',
    'frame_graph_to_networkx', 'frame_graph_to_node_link',
    'VIDEO_SCHEMA_ID', 'FRAME_SCHEMA_ID'
]
