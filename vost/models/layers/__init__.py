"""VOST layers: the pair-wise decoders."""
from .pair_decoders import (
    PairInstanceDecoder,
    PairRelationDecoder,
    pair_self_attn_mask,
)

__all__ = ['PairInstanceDecoder', 'PairRelationDecoder', 'pair_self_attn_mask']
