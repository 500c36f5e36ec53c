"""mmengine's LoggerHook without the test-epoch JSON race between ranks,
recording the machine in the test results JSON."""
import os.path as osp
from typing import Dict, Optional

from mmengine.dist import is_main_process
from mmengine.hooks import LoggerHook

from vost.registry import HOOKS
from vost.utils.machine_info import add_machine_info

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
    The file also records the machine (``machine``:
    :func:`vost.utils.machine_info.machine_info`; numbers are bitwise
    reproducible per machine, not across CPUs). Every argument is
    ``LoggerHook``'s.
    """

    def after_test_epoch(self, runner,
                         metrics: Optional[Dict[str, float]] = None) -> None:
        if is_main_process():
            super().after_test_epoch(runner, metrics)
            path = osp.join(runner.log_dir, self.json_log_path)
            if osp.isfile(path):
                add_machine_info(path, str(_device(runner)), indent=None)
            return
        _, log_str = runner.log_processor.get_log_after_epoch(
            runner, len(runner.test_dataloader), 'test',
            with_non_scalar=True)
        runner.logger.info(log_str)


def _device(runner):
    """The device of the runner's model (``cpu``, ``cuda:0``)."""
    try:
        return next(runner.model.parameters()).device
    except (StopIteration, AttributeError):
        return 'cpu'
