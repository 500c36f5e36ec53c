# Synthetic Action Genome, SGDet: CPU-sized inputs and batches.
# Generate the data first (docs/synthetic_action_genome.md):
#   python tools/dataset_converters/make_synthetic_ag.py data/synthetic_ag \
#       --videos 1000 --frames 10 --seed 0 --size 256 256
dataset_type = 'ActionGenomeDataset'
data_root = 'data/synthetic_ag/'
task = 'sgdet'
num_ref_frames = 0
frame_range = 4
img_scale = (128, 128)  # frames are 256x256; objects stay visible at 128

train_pipeline = [
    dict(
        type='SGClipSample',
        num_ref_frames=num_ref_frames,
        frame_range=frame_range),
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

train_dataloader = dict(
    batch_size=8,
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
    batch_size=8,
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
