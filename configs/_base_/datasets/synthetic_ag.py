# Synthetic Action Genome (the video world), any task: the Action Genome
# settings (action_genome.py) at the synthetic data's root, with CPU-sized
# inputs and batches. Generate the data first
# (docs/synthetic_action_genome.md):
#   python tools/dataset_converters/make_synthetic_ag.py data/synthetic_ag
# Frames vary in size (16:9 and 4:3 landscape, some portrait, long side
# 180-320 px). Training resizes to one of three scales (long side at most
# 192, short side at most 96 / 112 / 128, aspect kept) and flips, as DETR
# trains (mmdet's RandomChoiceResize, RandomFlip); testing uses the middle
# scale. Training batches group landscape and portrait frames
# (mmdet's AspectRatioBatchSampler), so that a batch is not padded to a
# square.
_base_ = './action_genome.py'

data_root = 'data/synthetic_ag/'
train_scales = [(192, 96), (192, 112), (192, 128)]
test_scale = (192, 112)

load_transforms = [
    dict(type='mmdet.LoadImageFromFile'),
    dict(type='LoadSGAnnotations'),
]
train_resize = dict(
    type='mmdet.RandomChoiceResize',
    scales=train_scales,
    resize_type='mmdet.Resize',  # mmdet's, which resizes the boxes
    keep_ratio=True)
resize_transform = dict(_base_.resize_transform, scale=test_scale)
train_pipeline = [
    dict(
        _base_.train_pipeline[0],
        transforms=[*load_transforms, train_resize,
                    *_base_.augment_transforms]),
    _base_.train_pipeline[1],
]
test_pipeline = [
    dict(
        _base_.test_pipeline[0],
        transforms=[*load_transforms, resize_transform]),
    _base_.test_pipeline[1],
]

train_dataloader = dict(
    batch_size=8,
    batch_sampler=dict(type='mmdet.AspectRatioBatchSampler'),
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8, dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(data_root=data_root)
test_evaluator = val_evaluator
