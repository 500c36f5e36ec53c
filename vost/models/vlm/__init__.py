"""VOST vlm: the frozen VLM encoder, its prompts, feature cache and pooling."""
from .box_pooling import pool_boxes, union_boxes
from .feature_cache import (
                            CACHE_FORMAT_VERSION,
                            VLMFeatureCache,
                            VLMFeatureCacheWriter,
)
from .hf_loading import load_image_stats, load_vlm, vlm_family
from .prompts import (
                            DEFAULT_OBJECT_TEMPLATES,
                            DEFAULT_PREDICATE_PHRASES,
                            DEFAULT_PREDICATE_TEMPLATES,
                            build_object_prompts,
                            build_predicate_prompts,
                            object_phrase,
                            predicate_phrase,
)
from .qwen_vl import QwenYesPrior, qwen_merged_tokens, qwen_patchify
from .vlm_encoder import VLMEncoder

__all__ = [
    'VLMEncoder', 'VLMFeatureCache', 'VLMFeatureCacheWriter',
    'CACHE_FORMAT_VERSION', 'pool_boxes', 'union_boxes', 'load_vlm',
    'load_image_stats', 'vlm_family', 'QwenYesPrior', 'qwen_patchify',
    'qwen_merged_tokens',
    'DEFAULT_OBJECT_TEMPLATES', 'DEFAULT_PREDICATE_TEMPLATES',
    'DEFAULT_PREDICATE_PHRASES', 'build_object_prompts',
    'build_predicate_prompts', 'object_phrase', 'predicate_phrase'
]
