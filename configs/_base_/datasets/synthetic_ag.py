# Synthetic Action Genome, any task: the Action Genome settings
# (action_genome.py) at the synthetic data's root, with CPU-sized
# inputs and batches. Generate the data first
# (docs/synthetic_action_genome.md):
#   python tools/dataset_converters/make_synthetic_ag.py data/synthetic_ag \
#       --videos 1000 --frames 10 --seed 0 --size 256 256
_base_ = './action_genome.py'

data_root = 'data/synthetic_ag/'
img_scale = (128, 128)  # frames are 256x256; objects stay visible at 128

load_transforms = [
    dict(type='mmdet.LoadImageFromFile'),
    dict(type='LoadSGAnnotations'),
]
resize_transform = dict(_base_.resize_transform, scale=img_scale)
train_pipeline = [
    dict(
        _base_.train_pipeline[0],
        transforms=[
            *load_transforms, resize_transform, *_base_.augment_transforms
        ]),
    _base_.train_pipeline[1],
]
test_pipeline = [
    dict(
        _base_.test_pipeline[0],
        transforms=[*load_transforms, resize_transform]),
    _base_.test_pipeline[1],
]

train_dataloader = dict(
    batch_size=8, dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8, dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(data_root=data_root)
test_evaluator = val_evaluator
