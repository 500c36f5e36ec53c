# Temporal stage 2 of the small spatial model on synthetic Action Genome
# (2 CPU cores), as OED trains it (docs/temporal.md):
#   stage 1: vost-spatial_r18_1xb8-2e_synthetic-ag-sgdet.py (single frames)
#   stage 2: this config, from the stage-1 checkpoint, trains only the
#            temporal decoder and the temporal heads (FreezeModulesHook):
#   python tools/train.py configs/vost/<this file> \
#       --cfg-options load_from=work_dirs/<stage 1>/epoch_2.pth
# Clips: key frame + 2 reference frames within +-4 annotated frames; test
# clips take the nearest frames on both sides (the published protocol).
# vost-spatial-temporal-causal_* uses past frames only.
_base_ = ['./vost-spatial_r18_1xb8-2e_synthetic-ag-sgdet.py']

num_ref_frames = 2
frame_range = 4
causal = False
img_scale = (128, 128)

_attn = dict(embed_dims=64, num_heads=4, dropout=0.0, batch_first=True)
_ffn = dict(
    embed_dims=64,
    feedforward_channels=256,
    num_fcs=2,
    ffn_drop=0.0,
    act_cfg=dict(type='ReLU', inplace=True))

model = dict(
    temporal=dict(
        type='TemporalStage',
        decoder=dict(
            type='TemporalPairDecoder',
            num_layers=3,
            # OED keeps 80n / 50n / 30n of n * 100 reference pairs; with 20
            # queries per frame the same fractions are 16n / 10n / 6n.
            k_per_ref=(16, 10, 6),
            causal=causal,
            zero_init_residual=False,
            layer_cfg=dict(  # DetrTransformerDecoderLayer
                self_attn_cfg=_attn, cross_attn_cfg=_attn, ffn_cfg=_ffn)),
        # test time: spatial outputs of the last 32 frames are reused by the
        # next batch (neighbouring key frames share reference frames), so each
        # frame of a video runs through the spatial stages once
        frame_cache_size=32))

train_pipeline = [
    dict(
        type='SGClipSample',
        num_ref_frames=num_ref_frames,
        frame_range=frame_range,
        causal=causal),
    dict(
        type='TransformBroadcaster',
        share_random_params=True,
        transforms=[
            dict(type='mmdet.LoadImageFromFile'),
            dict(type='LoadSGAnnotations'),
            dict(type='mmdet.Resize', scale=img_scale, keep_ratio=True),
            dict(type='mmdet.RandomFlip', prob=0.5),
            dict(type='mmdet.PhotoMetricDistortion'),
        ]),
    dict(type='PackSGInputs'),
]
test_pipeline = [
    dict(
        type='SGClipSample',
        num_ref_frames=num_ref_frames,
        frame_range=frame_range,
        causal=causal,
        test_mode=True),
    dict(
        type='TransformBroadcaster',
        share_random_params=True,
        transforms=[
            dict(type='mmdet.LoadImageFromFile'),
            dict(type='LoadSGAnnotations'),
            dict(type='mmdet.Resize', scale=img_scale, keep_ratio=True),
        ]),
    dict(type='PackSGInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

# Stage 2: only the temporal parts train; the hook checks after 2
# iterations that every frozen tensor is bitwise unchanged.
custom_hooks = [
    dict(type='RNGStateHook'),  # a list replaces the base's: restate it
    dict(
        type='FreezeModulesHook',
        trainable=['temporal'],
        check_after_iters=2)
]
# freezing after DDP wraps the model needs find_unused_parameters
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=True)
load_from = None  # the stage-1 checkpoint (--cfg-options load_from=...)

# one epoch (about 890 steps of 8 three-frame clips), cosine decay
max_epochs = 1
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=2e-4))
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs,
        eta_min_ratio=0.01,
        begin=0,
        end=max_epochs,
        by_epoch=True,
        convert_to_iter_based=True)
]
