# Action Genome (real data; see docs/dataset_preparation.md), any task:
# the datasets and the metric get the task from model.task (SGRunner).
# Clips are T = 1 + num_ref_frames frames; the spatial model uses T = 1.
dataset_type = 'ActionGenomeDataset'
data_root = 'data/action_genome/'
backend_args = None

# Pipeline fragments: a config that changes one part (the image size, the
# clip sampling) composes its pipelines from these instead of restating
# them (as mmyolo's configs reuse ``_base_.pre_transform``).
load_transforms = [
    dict(type='mmdet.LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadSGAnnotations'),
]
# STTran/OED: short side 600, long side at most 1000.
resize_transform = dict(
    type='mmdet.Resize', scale=(1000, 600), keep_ratio=True)
# No AG predicate is left/right: a flip changes boxes only.
augment_transforms = [
    dict(type='mmdet.RandomFlip', prob=0.5),
    dict(type='mmdet.PhotoMetricDistortion'),
]
# The clip: key frame + num_ref_frames reference frames, sampled by the
# dataset before its pipeline (test datasets take the nearest frames on
# both sides; causal=True takes past frames only). A temporal config
# changes it without restating the pipelines:
#   train_dataloader = dict(dataset=dict(clip_sampler=dict(num_ref_frames=2)))
clip_sampler = dict(
    type='SGClipSample',
    num_ref_frames=0,
    frame_range=4)  # reference frames within +-4 annotated frames (OED)
# TransformBroadcaster runs the per-frame transforms on every frame of a clip
# with shared random parameters.
train_pipeline = [
    dict(
        type='TransformBroadcaster',
        share_random_params=True,
        transforms=[*load_transforms, resize_transform, *augment_transforms]),
    dict(type='PackSGInputs'),
]
test_pipeline = [
    dict(
        type='TransformBroadcaster',
        share_random_params=True,
        transforms=[*load_transforms, resize_transform]),
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
        clip_sampler=clip_sampler,
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
        test_mode=True,
        clip_sampler=clip_sampler,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

# subjects='one_person': the published protocol ('per_triplet' evaluates
# several people per frame, docs/evaluation.md)
val_evaluator = dict(
    type='ActionGenomeSGGMetric',
    data_root=data_root,
    split='test',
    subjects='one_person')
test_evaluator = val_evaluator
