# Full VOST on real Action Genome with multi-scale training (our variant,
# not the published recipe): vost_r50_8xb2-12e_ag-sgdet.py (OED's one
# scale, short side 600 / long side at most 1000, plus flip) with DETR's
# multi-scale resize scaled to AG's test scale: each training clip draws a
# short side from 480 to 720 px in steps of 48 (long side at most 1000),
# the same for every frame of the clip; testing is unchanged (600 / 1000).
# For a model that must serve other frame sizes (people's own videos).
_base_ = ['./vost_r50_8xb2-12e_ag-sgdet.py']

train_resize = dict(
    type='mmdet.RandomChoiceResize',
    scales=[(1000, s) for s in range(480, 721, 48)],
    resize_type='mmdet.Resize',  # mmdet's, which resizes the boxes
    keep_ratio=True)
train_pipeline = [
    dict(
        _base_.train_pipeline[0],
        transforms=[*_base_.load_transforms, train_resize,
                    *_base_.augment_transforms]),
    _base_.train_pipeline[1],
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
