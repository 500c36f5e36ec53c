"""The video world: motion, occlusion, many looks, a long tail, varied
frame sizes (``docs/synthetic_action_genome.md``)."""
from .world import MOTION_PREDICATES, render_video_world, world_summary

__all__ = ['MOTION_PREDICATES', 'render_video_world', 'world_summary']
