"""Training loops."""
from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop

from vost.registry import LOOPS
from .hooks.rng_state_hook import pop_resumed_rng_state, set_rng_state

__all__ = ['ResumableEpochBasedTrainLoop']


@LOOPS.register_module()
class ResumableEpochBasedTrainLoop(EpochBasedTrainLoop):
    """An epoch-based loop that resumes exactly inside an epoch.

    mmengine's ``EpochBasedTrainLoop`` restarts the interrupted epoch from
    its first batch when resumed from an iteration checkpoint (e.g. a
    ``CheckpointHook(by_epoch=False, interval=N)`` inside an epoch), so the
    resumed run sees some batches twice. This loop skips the batches of the
    current epoch that the checkpoint already trained on (it loads them, as
    mmengine's ``IterBasedTrainLoop`` does, so that data-loader workers
    advance as in the uninterrupted run), then restores the main process's
    random states saved by :class:`RNGStateHook`. With the same seed and
    ``deterministic=True`` on CPU, the resumed run then gives the same
    weights as an uninterrupted one. Arguments are those of
    ``EpochBasedTrainLoop``.
    """

    def run_epoch(self) -> None:
        """Iterate one epoch, skipping batches trained before a resume."""
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        skip = self._iter - self._epoch * len(self.dataloader)
        # Set by RNGStateHook on resume; only needed once, never saved again.
        resumed_state = pop_resumed_rng_state(self.runner)
        if skip > 0:
            print_log(
                f'Resuming inside epoch {self._epoch + 1}: skipping its '
                f'first {skip} batches.',
                logger='current')
        for idx, data_batch in enumerate(self.dataloader):
            if idx < skip:
                if idx == skip - 1 and resumed_state is not None:
                    set_rng_state(resumed_state)
                continue
            self.run_iter(idx, data_batch)

        self.runner.call_hook('after_train_epoch')
        self._epoch += 1
