"""Save and restore random number generator states with checkpoints."""
import random

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log

from vost.registry import HOOKS

__all__ = [
    'RNGStateHook', 'get_rng_state', 'set_rng_state', 'pop_resumed_rng_state'
]


def get_rng_state() -> dict:
    """The states of Python's, numpy's and torch's global generators."""
    return dict(
        python=random.getstate(),
        numpy=np.random.get_state(),
        torch=torch.get_rng_state())


def set_rng_state(state: dict) -> None:
    """Restore states from :func:`get_rng_state`."""
    random.setstate(state['python'])
    np.random.set_state(state['numpy'])
    torch.set_rng_state(state['torch'])


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Make resumed training continue the random streams exactly.

    mmengine checkpoints hold the model, optimizer, scheduler and message
    hub, and the runner re-seeds at start, but the state of Python's,
    numpy's and torch's global generators at the checkpoint is lost: data
    augmentation drawn in the main process (``num_workers=0``) and dropout
    then differ after ``--resume``. This hook stores the three states in
    ``checkpoint['meta']['rng_state']`` and restores them on resume, so a
    run resumed from a checkpoint gives the same weights as an
    uninterrupted run (with ``randomness=dict(seed=..., deterministic=True)``
    on CPU).

    Data-loader workers draw from their own generators, which mmengine
    seeds from ``seed``, worker id and rank when they start: with
    ``persistent_workers=False`` (re-created each epoch) resuming at an
    epoch boundary reproduces them too; persistent workers carry state this
    hook cannot see.
    """

    priority = 'VERY_LOW'

    def __init__(self) -> None:
        #: The state loaded on resume, until a loop takes it (see
        #: :func:`pop_resumed_rng_state`). Kept on the hook, i.e. per runner:
        #: mmengine's message hub is shared by runners of the same
        #: experiment name and timestamp, so a state left there leaks into
        #: the next such runner.
        self.resumed_state = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Add the generator states to the checkpoint's meta."""
        checkpoint.setdefault('meta', {})['rng_state'] = get_rng_state()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Restore the generator states when resuming (not on load_from)."""
        if not getattr(runner, '_resume', False):
            return
        state = checkpoint.get('meta', {}).get('rng_state')
        if state is None:
            print_log(
                'RNGStateHook: the checkpoint has no rng_state; random '
                'streams restart from the seed.',
                logger='current')
            return
        set_rng_state(state)
        # A loop resuming inside an epoch re-loads the epoch's first batches
        # to skip them, which draws random numbers; it restores this state
        # again once they are skipped (see ResumableEpochBasedTrainLoop).
        self.resumed_state = state


def pop_resumed_rng_state(runner):
    """Take the state the runner's :class:`RNGStateHook` loaded on resume.

    Args:
        runner: the mmengine runner.

    Returns:
        dict | None: the state from :func:`get_rng_state` saved in the
        resumed checkpoint, once (``None`` afterwards, without the hook, or
        when the run was not resumed).
    """
    for hook in runner.hooks:
        if isinstance(hook, RNGStateHook) and hook.resumed_state is not None:
            state, hook.resumed_state = hook.resumed_state, None
            return state
    return None
