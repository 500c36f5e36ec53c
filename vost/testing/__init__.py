"""Testing helpers: demo inputs and tiny models for tests and smoke runs."""
from ._utils import demo_sg_frame_sample, demo_sg_track_inputs
from .tiny_models import build_tiny_model, config_root, tiny_model_cfg

__all__ = [
    'demo_sg_frame_sample', 'demo_sg_track_inputs', 'build_tiny_model',
    'config_root', 'tiny_model_cfg'
]
