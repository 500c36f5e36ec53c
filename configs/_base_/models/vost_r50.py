# VOST spatial model (no VLM, no temporal stage), ResNet-50, d=256.
# Depths (inferred, docs/design.md section 4, as in OED): 6-layer encoder,
# 6-layer pair-wise instance decoder, 6-layer cascaded relation decoder.
embed_dims = 256
num_queries = 100
num_instance_layers = 6
num_relation_layers = 6
# Pretrained backbone: 'torchvision://resnet50' needs torchvision (GPU
# machines); elsewhere point it to a local file, e.g.
# --cfg-options model.backbone.init_cfg.checkpoint=checkpoints/r50.pth
pretrained_backbone = 'torchvision://resnet50'

_attn = dict(embed_dims=embed_dims, num_heads=8, dropout=0.1, batch_first=True)
_ffn = dict(
    embed_dims=embed_dims,
    feedforward_channels=2048,
    num_fcs=2,
    ffn_drop=0.1,
    act_cfg=dict(type='ReLU', inplace=True))
_decoder_layer = dict(  # DetrTransformerDecoderLayer
    self_attn_cfg=_attn, cross_attn_cfg=_attn, ffn_cfg=_ffn)
# Gaussian cross-attention prior around the subject / object boxes (half
# the heads each), docs/model.md; 0 turns it off. On synthetic AG it halves
# the epochs the small model needs for the same loss.
box_prior_scale = 2.0

# the box match costs, applied to the subject and to the object box
_l1_cost = dict(type='mmdet.BBoxL1Cost', weight=5.0, box_format='xywh')
_giou_cost = dict(type='mmdet.IoUCost', iou_mode='giou', weight=2.0)
# the multi-label predicate loss, of the spatial and the contacting group
_focal_loss = dict(
    type='mmdet.FocalLoss',
    use_sigmoid=True,
    gamma=2.0,
    alpha=0.5,
    loss_weight=2.0)

# Query generator fragments; a config swaps the model's generator with
#   model = dict(query_generator=dict(
#       _delete_=True, **_base_.gt_pair_query_generator))
learnable_query_generator = dict(
    type='LearnablePairQueryGenerator',
    num_queries=num_queries,
    embed_dims=embed_dims)
# PredCls / SGCls: one query per GT pair
gt_pair_query_generator = dict(
    type='GTPairQueryGenerator', embed_dims=embed_dims)

# Temporal stage fragment (OED's temporal stage, docs/temporal.md), unused
# by the spatial model; the spatial-temporal configs put it into the model:
#   model = dict(temporal=_base_.temporal_stage)
temporal_stage = dict(
    type='TemporalStage',
    decoder=dict(
        type='TemporalPairDecoder',
        num_layers=3,
        k_per_ref=(80, 50, 30),  # 80n, 50n, 30n of n x 100 pairs (OED)
        causal=False,
        zero_init_residual=False,
        layer_cfg=_decoder_layer),
    # test time: spatial outputs of the last 16 frames are reused by the
    # next batch (neighbouring key frames share reference frames), so each
    # frame of a video runs through the spatial stages once
    frame_cache_size=16)

# VLM fragments of the full VOST (docs/vlm.md), unused by the spatial model:
# the frozen CLIP ViT-B/16 (512-d), dual-source pair queries and the
# multi-modal feature bank. The VOST configs put all three into the model
# with the one fragment vlm_parts (below):
#   model = _base_.vlm_parts
# Offline machines: download the checkpoint elsewhere and pass
#   --cfg-options model.vlm_encoder.model_name=/path/to/clip-vit-base-patch16
vlm_name = 'openai/clip-vit-base-patch16'
vlm_channels = 512  # CLIP ViT-B/16 projection_dim
vlm_grid = (7, 7)  # pooled patch grid (the native grid is 14 x 14)
vlm_cache_dir = 'data/action_genome/vlm_cache/clip-vit-base-patch16_grid7'
vlm_encoder = dict(
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
    cache_dir=vlm_cache_dir)
vlm_query_generator = dict(
    type='DualSourcePairQueryGenerator',
    num_queries=num_queries,
    embed_dims=embed_dims,
    vlm_channels=vlm_channels,
    content_mode='proposal_x_prior',
    num_person_anchors=1)
vlm_feature_bank = dict(
    type='MultiModalFeatureBank',
    in_channels=embed_dims,
    vlm_channels=vlm_channels,
    use_visual_vlm=True,
    use_textual=True,
    use_spatial=True,
    fusion='concat_mlp',
    text_logit_scale=10.0)
# all three, as a model update (the ablations switch one part off after it)
vlm_parts = dict(
    vlm_encoder=vlm_encoder,
    query_generator=dict(_delete_=True, **vlm_query_generator),
    bbox_head=dict(feature_bank=dict(_delete_=True, **vlm_feature_bank)))

model = dict(
    type='VOST',
    task='sgdet',
    data_preprocessor=dict(
        type='mmdet.TrackDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(
        type='mmdet.ResNet',
        depth=50,
        num_stages=4,
        out_indices=(3, ),
        frozen_stages=1,
        norm_cfg=dict(type='BN', requires_grad=False),
        norm_eval=True,
        style='pytorch',
        init_cfg=dict(type='Pretrained', checkpoint=pretrained_backbone)),
    neck=dict(
        type='mmdet.ChannelMapper',
        in_channels=[2048],
        kernel_size=1,
        out_channels=embed_dims,
        act_cfg=None,
        norm_cfg=None,
        num_outs=1),
    num_feature_levels=1,
    positional_encoding=dict(  # SinePositionalEncoding
        num_feats=embed_dims // 2, normalize=True),
    encoder=dict(  # DetrTransformerEncoder
        num_layers=6,
        layer_cfg=dict(self_attn_cfg=_attn, ffn_cfg=_ffn)),
    query_generator=learnable_query_generator,
    instance_decoder=dict(  # PairInstanceDecoder
        num_layers=num_instance_layers,
        layer_cfg=_decoder_layer,
        box_prior_scale=box_prior_scale),
    relation_decoder=dict(  # PairRelationDecoder
        num_layers=num_relation_layers,
        layer_cfg=_decoder_layer,
        box_prior_scale=box_prior_scale),
    bbox_head=dict(
        type='VOSTHead',
        embed_dims=embed_dims,  # layer counts: from the decoders
        bg_cls_weight=0.1,
        loss_cls=dict(
            type='mmdet.CrossEntropyLoss', use_sigmoid=False,
            loss_weight=1.0),
        loss_bbox=dict(type='mmdet.L1Loss', loss_weight=5.0),
        loss_iou=dict(type='mmdet.GIoULoss', loss_weight=2.0),
        loss_attention=dict(
            type='mmdet.CrossEntropyLoss', use_sigmoid=False,
            loss_weight=1.0),
        loss_spatial=_focal_loss,
        loss_contacting=_focal_loss,
        feature_bank=None),
    train_cfg=dict(
        assigner=dict(
            type='PairHungarianAssigner',
            match_costs=[
                dict(type='mmdet.ClassificationCost', weight=1.0),
                dict(type='PairBoxCost', box='subject', box_cost=_l1_cost),
                dict(type='PairBoxCost', box='object', box_cost=_l1_cost),
                dict(type='PairBoxCost', box='subject', box_cost=_giou_cost),
                dict(type='PairBoxCost', box='object', box_cost=_giou_cost),
                dict(type='PredicateCost', group='attention', weight=1.0),
                dict(type='PredicateCost', group='spatial', weight=1.0),
                dict(type='PredicateCost', group='contacting', weight=1.0),
            ])),
    # Pair ranking and filtering: vost/models/heads/pair_post_processing.py
    test_cfg=dict(
        max_per_img=100,
        score_thr=0.0,
        pair_score='object_x_predicate',
        pair_nms=None,
        # 'per_subject' keeps several people, grouping the pairs' subject
        # boxes at IoU >= subject_iou (vost/models/heads/subject_grouping.py)
        person_box='weighted',
        subject_iou=0.5,
        # > 0: ensemble the VLM's box classes into the class scores at test
        # time (our addition, docs/vlm.md section 8; the main job also
        # reports w=1/3)
        vlm_class_weight=0.,
        # zero-shot: predicates scored by the feature bank's text logits
        # alone (vost/models/heads/novel_predicates.py)
        novel_predicates=()))
