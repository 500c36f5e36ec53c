# Causal (streaming) variant of the AG SGDet temporal stage 2: reference
# frames from the past only, in training and at test time; the model
# raises if a clip holds a reference frame after its key frame. To test a
# model trained with two-sided clips in causal mode, run tools/test.py with
# this config and that checkpoint.
_base_ = ['./vost-spatial-temporal_r50_8xb2-6e_ag-sgdet.py']

causal = True
num_ref_frames = 2
frame_range = 4
backend_args = None

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
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
