# Small VOST for 2 CPU cores (synthetic Action Genome): ResNet-18 at half
# width from scratch, 3 feature levels (strides 8/16/32: 336 tokens for a
# 128x128 frame; the stride-8 level is what tells small objects' shapes
# apart), d=64, 1 encoder layer (a second one costs 25% more time per step
# at 336 tokens), 3 instance + 2 relation decoder layers, 20 pair queries.
# Measurements: docs/model.md and docs/results.md.
_base_ = './vost_r50.py'

embed_dims = 64
num_queries = 20
num_instance_layers = 3
num_relation_layers = 2
pretrained_backbone = None

_attn = dict(
    embed_dims=embed_dims, num_heads=4, dropout=0.0, batch_first=True)
_ffn = dict(
    embed_dims=embed_dims,
    feedforward_channels=256,
    num_fcs=2,
    ffn_drop=0.0,
    act_cfg=dict(type='ReLU', inplace=True))
_decoder_layer = dict(  # DetrTransformerDecoderLayer
    self_attn_cfg=_attn, cross_attn_cfg=_attn, ffn_cfg=_ffn)

model = dict(
    backbone=dict(
        depth=18,
        base_channels=32,
        out_indices=(1, 2, 3),
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        init_cfg=None),  # from scratch: synthetic frames are not photos
    neck=dict(
        in_channels=[64, 128, 256], out_channels=embed_dims, num_outs=3),
    num_feature_levels=3,
    positional_encoding=dict(num_feats=embed_dims // 2),
    encoder=dict(
        num_layers=1, layer_cfg=dict(self_attn_cfg=_attn, ffn_cfg=_ffn)),
    query_generator=dict(num_queries=num_queries, embed_dims=embed_dims),
    instance_decoder=dict(
        num_layers=num_instance_layers, layer_cfg=_decoder_layer),
    relation_decoder=dict(
        num_layers=num_relation_layers, layer_cfg=_decoder_layer),
    bbox_head=dict(embed_dims=embed_dims),
    test_cfg=dict(max_per_img=num_queries))
