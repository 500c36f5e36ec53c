# Causal (streaming) variant of the AG SGDet temporal stage 2: reference
# frames from the past only, in training and at test time; the model
# raises if a clip holds a reference frame after its key frame. To test a
# model trained with two-sided clips in causal mode, run tools/test.py with
# this config and that checkpoint.
_base_ = ['./vost-spatial-temporal_r50_8xb2-6e_ag-sgdet.py']

causal = True
clip_sample = dict(_base_.clip_sample, causal=causal)

model = dict(temporal=dict(decoder=dict(causal=causal)))
train_pipeline = [clip_sample, *_base_.train_pipeline[1:]]
test_pipeline = [dict(clip_sample, test_mode=True), *_base_.test_pipeline[1:]]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
