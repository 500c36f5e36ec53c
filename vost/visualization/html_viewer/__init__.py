"""An interactive scene-graph viewer: a self-contained HTML folder that
opens from disk (the frame with its track boxes, the frame graph and the
relation timeline, linked; docs/outputs.md, section 7)."""
from .from_outputs import build_viewer_from_outputs, read_frame_records
from .writer import STATIC_DIR, VIEWER_FORMAT, HtmlViewerWriter

__all__ = [
    'HtmlViewerWriter', 'build_viewer_from_outputs', 'read_frame_records',
    'STATIC_DIR', 'VIEWER_FORMAT'
]
