# Full VOST on synthetic Action Genome, for 2 CPU cores: the small spatial
# model plus a tiny CLIP (64 px, 32-d), dual-source queries and the
# feature bank. The CLIP is pretrained contrastively on a separate
# synthetic set (data seed 1000, train split only), the role a
# web-pretrained CLIP plays on real AG (docs/vlm.md). The main job makes
# it; by hand:
#   python tools/misc/pretrain_tiny_vlm.py data/tiny_clip_synthetic
# The random-weight CLIP is the ablation
# ablations/vost-random-vlm_r18_1xb8-2e_synthetic-ag-sgdet.py.
# The tiny VLM runs online; to use a cache set model.vlm_encoder.cache_dir
# and run tools/extract_vlm_features.py on this config.
_base_ = ['./vost-spatial_r18_1xb8-2e_synthetic-ag-sgdet.py']

vlm_name = 'data/tiny_clip_synthetic'
vlm_channels = 32

model = dict(
    vlm_encoder=dict(
        type='VLMEncoder',
        model_name=vlm_name,
        grid_size=(4, 4),
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        input_channel_order='rgb',
        cache_dir=None,
        local_files_only=True),
    query_generator=dict(
        _delete_=True,
        type='DualSourcePairQueryGenerator',
        num_queries={{_base_.num_queries}},
        embed_dims={{_base_.embed_dims}},
        vlm_channels=vlm_channels),
    bbox_head=dict(
        feature_bank=dict(
            _delete_=True,
            type='MultiModalFeatureBank',
            in_channels={{_base_.embed_dims}},
            vlm_channels=vlm_channels,
            text_logit_scale=10.0)))
