# Full VOST on synthetic Action Genome, for 2 CPU cores: the small spatial
# model plus a tiny random-weight CLIP (64 px, 32-d), dual-source queries
# and the feature bank. The VLM carries no meaning here (random weights):
# this config exercises the pipeline. Create the VLM first:
#   python tools/misc/make_tiny_vlm.py data/tiny_clip --family clip
# The tiny VLM runs online; to use a cache set model.vlm_encoder.cache_dir
# and run tools/extract_vlm_features.py on this config.
_base_ = ['./vost-spatial_r18_1xb8-2e_synthetic-ag-sgdet.py']

vlm_name = 'data/tiny_clip'
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
