default_scope = 'vost'
# The task is stated once, as model.task: SGRunner passes it to the
# datasets and the metrics (vost/engine/runner.py).
runner_type = 'SGRunner'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    # mmengine's LoggerHook; the test metrics JSON from the main process only
    logger=dict(type='SGLoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # mmengine's CheckpointHook, saving in an order a kill cannot break
    # (whole *.pth files, then last_checkpoint, then pruning)
    checkpoint=dict(type='AtomicCheckpointHook', interval=1),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # Switched on by `tools/test.py --show-dir DIR`.
    visualization=dict(type='SGVisualizationHook', draw=False),
)
# Checkpoints carry the random generators' states, so `--resume` continues
# the same random streams as an uninterrupted run.
custom_hooks = [dict(type='RNGStateHook')]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # `tools/train.py` switches the backend to gloo where CUDA is absent.
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend')]
# Add dict(type='TensorboardVisBackend') to log to TensorBoard.
visualizer = dict(
    type='SGLocalVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=True)

log_level = 'INFO'
load_from = None
resume = False
