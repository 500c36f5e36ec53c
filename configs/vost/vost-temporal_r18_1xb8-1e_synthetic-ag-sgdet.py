# Full VOST with the temporal stage on synthetic Action Genome (2 CPU
# cores): stage 1 is vost_r18_1xb8-2e_synthetic-ag-sgdet.py (tiny
# pretrained CLIP, dual-source queries, feature bank); this stage 2 loads its
# checkpoint and trains only the temporal parts (docs/temporal.md):
#   python tools/train.py configs/vost/<this file> \
#       --cfg-options load_from=work_dirs/<stage 1>/epoch_2.pth
# Resolves to the spatial temporal stage 2 config
# (vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py)
# plus the VLM parts of vost_r18_1xb8-2e_synthetic-ag-sgdet.py.
_base_ = ['./vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py']

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
