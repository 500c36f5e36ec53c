# Full VOST with the temporal stage on synthetic Action Genome (2 CPU
# cores): stage 1 is vost_r18_1xb8-20e_synthetic-ag-sgdet.py (tiny random
# CLIP, dual-source queries, feature bank); this stage 2 loads its
# checkpoint and trains only the temporal parts (docs/temporal.md):
#   python tools/train.py configs/vost/<this file> \
#       --cfg-options load_from=work_dirs/<stage 1>/epoch_20.pth
_base_ = ['./vost_r18_1xb8-20e_synthetic-ag-sgdet.py']

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
    temporal_decoder=dict(
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
    test_cfg=dict(frame_cache_size=32))

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
    dict(
        type='FreezeModulesHook',
        trainable=['temporal_decoder', 'temporal_head'],
        check_after_iters=2)
]
# freezing after DDP wraps the model needs find_unused_parameters
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=True)
load_from = None  # the stage-1 checkpoint (--cfg-options load_from=...)

max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=2e-4))
param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[8],
        gamma=0.1)
]
