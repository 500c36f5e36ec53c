"""VOST layers: the pair-wise decoders."""
from .pair_decoders import (
    PairInstanceDecoder,
    PairRelationDecoder,
    pair_box_prior,
    pair_self_attn_mask,
    token_coords,
)

__all__ = [
    'PairInstanceDecoder', 'PairRelationDecoder', 'pair_self_attn_mask',
    'token_coords', 'pair_box_prior'
]
