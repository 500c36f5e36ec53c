"""VOST layers: the pair-wise decoders, the token flattening and RoIAlign
on any device."""
from .multi_level_tokens import multi_level_tokens
from .pair_boxes import pair_sine_embedding, refine_pair_boxes
from .pair_decoders import (
    PairInstanceDecoder,
    PairRelationDecoder,
    pair_box_prior,
    pair_self_attn_mask,
    token_coords,
)
from .roi_ops import roi_align, torch_roi_align

__all__ = [
    'PairInstanceDecoder', 'PairRelationDecoder', 'pair_self_attn_mask',
    'token_coords', 'pair_box_prior', 'multi_level_tokens', 'roi_align',
    'torch_roi_align', 'refine_pair_boxes', 'pair_sine_embedding'
]
