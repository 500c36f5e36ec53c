"""Synthetic, learnable Action Genome worlds (see make.py)."""
from .generator import render_video
from .make import WORLDS, make_synthetic_ag

__all__ = ['WORLDS', 'make_synthetic_ag', 'render_video']
