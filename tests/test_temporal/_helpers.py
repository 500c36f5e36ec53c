"""Shared helpers of the temporal tests: tiny temporal VOST models."""
import copy

from vost.registry import MODELS
from vost.testing import tiny_model_cfg

DIMS = 32
ATTN = dict(embed_dims=DIMS, num_heads=2, dropout=0.0, batch_first=True)
FFN = dict(embed_dims=DIMS, feedforward_channels=64, ffn_drop=0.0)
LAYER = dict(self_attn_cfg=ATTN, cross_attn_cfg=ATTN, ffn_cfg=FFN)


def decoder_cfg(num_layers=2, k_per_ref=(4, 2), causal=False, **kwargs):
    """A tiny :class:`TemporalPairDecoder` config (d=32)."""
    return dict(
        type='TemporalPairDecoder',
        num_layers=num_layers,
        k_per_ref=k_per_ref,
        causal=causal,
        layer_cfg=copy.deepcopy(LAYER),
        **kwargs)


def build_temporal_model(task='sgdet', temporal=True, causal=False,
                         num_queries=6):
    """The tiny VOST of the model tests, with a 2-layer temporal stage
    (or without: ``temporal=False``), initialised."""
    cfg = tiny_model_cfg(task, num_queries=num_queries)
    if temporal:
        cfg.temporal = dict(
            type='TemporalStage', decoder=decoder_cfg(causal=causal))
    model = MODELS.build(cfg)
    model.init_weights()
    return model
