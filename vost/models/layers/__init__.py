"""VOST layers: the pair-wise decoders and the token flattening."""
from .multi_level_tokens import multi_level_tokens
from .pair_decoders import (
    PairInstanceDecoder,
    PairRelationDecoder,
    pair_box_prior,
    pair_self_attn_mask,
    token_coords,
)

__all__ = [
    'PairInstanceDecoder', 'PairRelationDecoder', 'pair_self_attn_mask',
    'token_coords', 'pair_box_prior', 'multi_level_tokens'
]
