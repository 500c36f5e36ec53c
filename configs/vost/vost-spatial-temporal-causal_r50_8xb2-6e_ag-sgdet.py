# Causal (streaming) variant of the AG SGDet temporal stage 2: reference
# frames from the past only, in training and at test time; the model
# raises if a clip holds a reference frame after its key frame. To test a
# model trained with two-sided clips in causal mode, run tools/test.py with
# this config and that checkpoint.
_base_ = ['./vost-spatial-temporal_r50_8xb2-6e_ag-sgdet.py']

causal = True
model = dict(temporal=dict(decoder=dict(causal=causal)))
train_dataloader = dict(dataset=dict(clip_sampler=dict(causal=causal)))
val_dataloader = dict(dataset=dict(clip_sampler=dict(causal=causal)))
test_dataloader = val_dataloader
