# Temporal stage 2 of the spatial model, SGDet on Action Genome (OED's
# temporal stage; docs/temporal.md). Stage 1 is
# vost-spatial_r50_8xb2-12e_ag-sgdet.py; this config loads its checkpoint
# and trains only the temporal decoder and the temporal heads:
#   tools/dist_train.sh configs/vost/<this file> 8 \
#       --cfg-options load_from=work_dirs/<stage 1>/epoch_12.pth
# Clips: key frame + 2 reference frames within +-4 annotated frames (OED);
# test clips take the nearest frames on both sides (published protocol).
# Streaming (past frames only): vost-spatial-temporal-causal_*.
# Inferred (not stated by OED/VOST): 6 epochs, lr 1e-4 dropped after 4.
_base_ = ['./vost-spatial_r50_8xb2-12e_ag-sgdet.py']

num_ref_frames = 2
frame_range = 4
causal = False
backend_args = None

_attn = dict(embed_dims=256, num_heads=8, dropout=0.1, batch_first=True)
_ffn = dict(
    embed_dims=256,
    feedforward_channels=2048,
    num_fcs=2,
    ffn_drop=0.1,
    act_cfg=dict(type='ReLU', inplace=True))

model = dict(
    temporal=dict(
        type='TemporalStage',
        decoder=dict(
            type='TemporalPairDecoder',
            num_layers=3,
            k_per_ref=(80, 50, 30),  # 80n, 50n, 30n of n x 100 pairs (OED)
            causal=causal,
            zero_init_residual=False,
            layer_cfg=dict(  # DetrTransformerDecoderLayer
                self_attn_cfg=_attn, cross_attn_cfg=_attn, ffn_cfg=_ffn)),
        # test time: spatial outputs of the last 16 frames are reused by the
        # next batch (neighbouring key frames share reference frames), so each
        # frame of a video runs through the spatial stages once
        frame_cache_size=16))

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
            dict(type='mmdet.LoadImageFromFile', backend_args=backend_args),
            dict(type='LoadSGAnnotations'),
            dict(type='mmdet.Resize', scale=(1000, 600), keep_ratio=True),
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
            dict(type='mmdet.LoadImageFromFile', backend_args=backend_args),
            dict(type='LoadSGAnnotations'),
            dict(type='mmdet.Resize', scale=(1000, 600), keep_ratio=True),
        ]),
    dict(type='PackSGInputs'),
]
train_dataloader = dict(batch_size=2, dataset=dict(pipeline=train_pipeline))
# Neighbouring key frames share reference frames: in one batch a shared
# frame runs through the spatial model once (VOST._key_frame_outputs).
val_dataloader = dict(batch_size=4, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

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

max_epochs = 6
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[4],
        gamma=0.1)
]
