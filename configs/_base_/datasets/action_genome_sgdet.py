# Action Genome, SGDet (real data; see docs/dataset_preparation.md).
# Clips are T = 1 + num_ref_frames frames; the spatial model uses T = 1.
dataset_type = 'ActionGenomeDataset'
data_root = 'data/action_genome/'
task = 'sgdet'
num_ref_frames = 0
frame_range = 4  # reference frames within +-4 annotated frames (OED)
backend_args = None

train_pipeline = [
    dict(
        type='SGClipSample',
        num_ref_frames=num_ref_frames,
        frame_range=frame_range),
    dict(
        type='TransformBroadcaster',
        share_random_params=True,
        transforms=[
            dict(type='mmdet.LoadImageFromFile', backend_args=backend_args),
            dict(type='LoadSGAnnotations'),
            # STTran/OED: short side 600, long side at most 1000.
            dict(type='mmdet.Resize', scale=(1000, 600), keep_ratio=True),
            # No AG predicate is left/right: a flip changes boxes only.
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

train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        task=task,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        task=task,
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='ActionGenomeSGGMetric', data_root=data_root, task=task,
    split='test')
test_evaluator = val_evaluator
