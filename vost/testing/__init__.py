"""Testing helpers: demo inputs and tiny modules for launch tests."""
from ._utils import demo_sg_frame_sample, demo_sg_track_inputs

__all__ = ['demo_sg_frame_sample', 'demo_sg_track_inputs']
