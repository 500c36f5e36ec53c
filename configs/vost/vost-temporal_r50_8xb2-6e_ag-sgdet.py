# Full VOST-SGG, temporal stage 2, SGDet on Action Genome: the full VOST
# (frozen CLIP, dual-source queries, multi-modal feature bank;
# vost_r50_8xb2-12e_ag-sgdet.py is its stage 1) plus the temporal stage.
# Loads the stage-1 checkpoint and trains only the temporal decoder and the
# temporal heads (whose feature banks start as copies of the spatial one):
#   tools/dist_train.sh configs/vost/<this file> 8 \
#       --cfg-options load_from=work_dirs/<stage 1>/epoch_12.pth
# The VLM feature cache must hold the reference frames too (extract it for
# all kept frames, tools/extract_vlm_features.py). See docs/temporal.md.
# Resolves to the spatial temporal stage 2 config
# (vost-spatial-temporal_r50_8xb2-6e_ag-sgdet.py)
# plus the VLM parts of vost_r50_8xb2-12e_ag-sgdet.py.
_base_ = ['./vost-spatial-temporal_r50_8xb2-6e_ag-sgdet.py']

vlm_name = 'openai/clip-vit-base-patch16'
vlm_channels = 512  # CLIP ViT-B/16 projection_dim
vlm_grid = (7, 7)  # pooled patch grid (the native grid is 14 x 14)
vlm_cache_dir = 'data/action_genome/vlm_cache/clip-vit-base-patch16_grid7'

model = dict(
    vlm_encoder=dict(
        type='VLMEncoder',
        model_name=vlm_name,
        grid_size=vlm_grid,
        # must equal the data preprocessor's normalisation (RGB input)
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        input_channel_order='rgb',
        object_templates=('a photo of a {obj}.', ),
        predicate_templates=dict(
            attention=('a person {pred} a {obj}.', ),
            spatial=('a {obj} {pred} a person.', ),
            contacting=('a person {pred} a {obj}.', )),
        cache_dir=vlm_cache_dir),
    query_generator=dict(
        _delete_=True,
        type='DualSourcePairQueryGenerator',
        num_queries={{_base_.num_queries}},
        embed_dims={{_base_.embed_dims}},
        vlm_channels=vlm_channels,
        content_mode='proposal_x_prior',
        num_person_anchors=1),
    bbox_head=dict(
        feature_bank=dict(
            _delete_=True,
            type='MultiModalFeatureBank',
            in_channels={{_base_.embed_dims}},
            vlm_channels=vlm_channels,
            use_visual_vlm=True,
            use_textual=True,
            use_spatial=True,
            fusion='concat_mlp',
            text_logit_scale=10.0)))
