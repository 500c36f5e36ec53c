# Causal (streaming) variant of the synthetic temporal stage 2: reference
# frames come from the past only (SGClipSample(causal=True)), in training
# and at test time, and the model raises if a clip ever holds a reference
# frame after its key frame. The first frame of a video uses itself as its
# reference. To evaluate a model trained with two-sided clips in causal
# mode, run tools/test.py with this config and that checkpoint.
_base_ = ['./vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py']

# the datasets' clip samplers follow (causal=True; SGRunner fills it in)
model = dict(temporal=dict(decoder=dict(causal=True)))
