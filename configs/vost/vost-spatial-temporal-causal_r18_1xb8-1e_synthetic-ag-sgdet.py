# Causal (streaming) variant of the synthetic temporal stage 2: reference
# frames come from the past only (SGClipSample(causal=True)), in training
# and at test time, and the model raises if a clip ever holds a reference
# frame after its key frame. The first frame of a video uses itself as its
# reference. To evaluate a model trained with two-sided clips in causal
# mode, run tools/test.py with this config and that checkpoint.
_base_ = ['./vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py']

causal = True
img_scale = (128, 128)
num_ref_frames = 2
frame_range = 4

model = dict(temporal=dict(decoder=dict(causal=causal)))

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
