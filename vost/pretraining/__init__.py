"""The tiny VLMs that play the web-pretrained VLM on CPU: random-weight
CLIP / SigLIP / Qwen2.5-VL checkpoint makers and the tiny CLIP's
contrastive pretraining on a separate synthetic set (docs/vlm.md).

A layer above the models: tools, tests and the main job use it; nothing
under ``vost.models`` imports it.
"""
from .tiny_clip import evaluate_tiny_clip, pretrain_tiny_clip
from .tiny_clip_data import build_pretraining_set
from .tiny_qwen import make_tiny_qwen2_5_vl
from .tiny_vlm import make_tiny_vlm, save_tiny_vlm

__all__ = [
    'make_tiny_vlm', 'save_tiny_vlm', 'make_tiny_qwen2_5_vl',
    'pretrain_tiny_clip', 'evaluate_tiny_clip', 'build_pretraining_set'
]
