# Temporal stage 2 (docs/temporal.md): only the temporal parts train, from
# the stage-1 checkpoint. A stage-2 config lists this file beside its
# stage-1 config and adds the hook fragment to the runtime's hooks:
#   custom_hooks = [*_base_.custom_hooks, _base_.freeze_spatial_hook]
# The hook checks after 2 iterations that every frozen tensor is bitwise
# unchanged.
freeze_spatial_hook = dict(
    type='FreezeModulesHook', trainable=['temporal'], check_after_iters=2)
# freezing after DDP wraps the model needs find_unused_parameters
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=True)
