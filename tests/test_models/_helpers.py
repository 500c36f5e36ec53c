"""Shared helpers of the model tests: tiny models built from configs."""
from vost.testing import build_tiny_model, config_root, tiny_model_cfg

CONFIG_ROOT = config_root()

__all__ = ['CONFIG_ROOT', 'tiny_model_cfg', 'build_tiny_model']
