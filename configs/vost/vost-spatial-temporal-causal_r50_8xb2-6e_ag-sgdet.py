# Causal (streaming) variant of the AG SGDet temporal stage 2: reference
# frames from the past only, in training and at test time; the model
# raises if a clip holds a reference frame after its key frame. To test a
# model trained with two-sided clips in causal mode, run tools/test.py with
# this config and that checkpoint.
_base_ = ['./vost-spatial-temporal_r50_8xb2-6e_ag-sgdet.py']

# the datasets' clip samplers follow (causal=True; SGRunner fills it in)
model = dict(temporal=dict(decoder=dict(causal=True)))
