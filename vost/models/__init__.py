"""VOST models: detectors, layers, heads, matchers, VLM, temporal stage."""
from .detectors import *  # noqa: F401,F403
from .feature_banks import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .query_generators import *  # noqa: F401,F403
from .task_modules import *  # noqa: F401,F403
from .temporal import *  # noqa: F401,F403
from .vlm import *  # noqa: F401,F403

__all__ = []
