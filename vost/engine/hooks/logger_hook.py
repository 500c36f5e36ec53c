"""mmengine's LoggerHook without the test-epoch JSON race between ranks."""
from typing import Dict, Optional

from mmengine.dist import is_main_process
from mmengine.hooks import LoggerHook

from vost.registry import HOOKS

__all__ = ['SGLoggerHook']


@HOOKS.register_module()
class SGLoggerHook(LoggerHook):
    """``LoggerHook`` whose test-epoch metrics file has one writer.

    mmengine's ``after_test_epoch`` writes ``{timestamp}.json`` from every
    rank, into the same file of the shared log dir (``tools/dist_test.sh``
    runs all ranks with one timestamp). The writes race: a 2-process test
    once left two JSON objects on one line, the second rank's holding
    ``null`` counts. Here only the main process writes it (every rank
    holds the same broadcast metrics); the other ranks still log the line.
    Every argument is ``LoggerHook``'s.
    """

    def after_test_epoch(self, runner,
                         metrics: Optional[Dict[str, float]] = None) -> None:
        if is_main_process():
            super().after_test_epoch(runner, metrics)
            return
        _, log_str = runner.log_processor.get_log_after_epoch(
            runner, len(runner.test_dataloader), 'test',
            with_non_scalar=True)
        runner.logger.info(log_str)
