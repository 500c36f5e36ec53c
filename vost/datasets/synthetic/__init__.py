"""A synthetic, learnable Action Genome (see generator.py and rules.py)."""
from .generator import make_synthetic_ag, render_video

__all__ = ['make_synthetic_ag', 'render_video']
