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

_attn = dict(_base_._attn, embed_dims=embed_dims, num_heads=4, dropout=0.0)
_ffn = dict(
    _base_._ffn, embed_dims=embed_dims, feedforward_channels=256, ffn_drop=0.0)
_decoder_layer = dict(self_attn_cfg=_attn, cross_attn_cfg=_attn, ffn_cfg=_ffn)

learnable_query_generator = dict(
    _base_.learnable_query_generator,
    num_queries=num_queries,
    embed_dims=embed_dims)
gt_pair_query_generator = dict(
    _base_.gt_pair_query_generator, embed_dims=embed_dims)

# OED keeps 80n / 50n / 30n of n * 100 reference pairs; with 20 queries
# per frame the same fractions are 16n / 10n / 6n. The cache holds the
# spatial outputs of the last 32 frames.
temporal_stage = dict(
    decoder=dict(k_per_ref=(16, 10, 6), layer_cfg=_decoder_layer),
    frame_cache_size=32)

# VLM fragments (as in vost_r50.py): the tiny CLIP (64 px, 32-d) pretrained
# contrastively on a separate synthetic set (data seed 1000, train split
# only), the role a web-pretrained CLIP plays on real AG (docs/vlm.md). The
# main job makes it; by hand:
#   python tools/misc/pretrain_tiny_vlm.py data/tiny_clip_synthetic
# It runs online; to use a cache set model.vlm_encoder.cache_dir and run
# tools/extract_vlm_features.py on the config.
vlm_name = 'data/tiny_clip_synthetic'
vlm_channels = 32
vlm_grid = (4, 4)
vlm_cache_dir = None
vlm_encoder = dict(
    _base_.vlm_encoder,  # its normalisation and prompts
    model_name=vlm_name,
    grid_size=vlm_grid,
    cache_dir=vlm_cache_dir,
    local_files_only=True)
vlm_query_generator = dict(
    _base_.vlm_query_generator,
    num_queries=num_queries,
    embed_dims=embed_dims,
    vlm_channels=vlm_channels)
vlm_feature_bank = dict(
    _base_.vlm_feature_bank, in_channels=embed_dims, vlm_channels=vlm_channels)
vlm_parts = dict(
    _delete_=True,  # replaces vost_r50.py's (whose parts are ViT-B/16 sized)
    vlm_encoder=vlm_encoder,
    query_generator=dict(_delete_=True, **vlm_query_generator),
    bbox_head=dict(feature_bank=dict(_delete_=True, **vlm_feature_bank)))

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
    query_generator=learnable_query_generator,
    instance_decoder=dict(
        num_layers=num_instance_layers, layer_cfg=_decoder_layer),
    relation_decoder=dict(
        num_layers=num_relation_layers, layer_cfg=_decoder_layer),
    bbox_head=dict(embed_dims=embed_dims),
    test_cfg=dict(max_per_img=num_queries))
