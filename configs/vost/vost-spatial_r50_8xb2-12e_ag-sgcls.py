# VOST spatial model, SGCls on Action Genome: GT boxes given; one query per
# GT pair whose content is RoI-pooled from the encoder memory (labels
# unknown). The PredCls config with another task.
_base_ = ['./vost-spatial_r50_8xb2-12e_ag-predcls.py']

model = dict(task='sgcls')
