"""Draw predicted scene graphs during validation and testing."""
import os.path as osp
from typing import Optional, Sequence

import mmcv
from mmengine.fileio import get
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmengine.utils import mkdir_or_exist
from mmengine.visualization import Visualizer

from vost.registry import HOOKS

__all__ = ['SGVisualizationHook']


@HOOKS.register_module()
class SGVisualizationHook(Hook):
    """Draw key frames' predicted scene graphs with the runner's visualizer.

    Like mmdet's ``DetVisualizationHook``: in validation every
    ``interval``-th batch's first key frame goes to the visualizer's
    backends (local files, TensorBoard); in testing (``tools/test.py
    --show-dir DIR``) every key frame is written to ``DIR`` as
    ``<video>/<frame>.png``. Predictions are in original-frame pixels, so
    the frame is read from ``img_path`` at its original size.

    Args:
        draw (bool): Whether to draw at all. Defaults to False (switched on
            by ``--show`` / ``--show-dir``).
        interval (int): Validation batches between drawings. Defaults to 50.
        score_thr (float): Minimum object score of drawn boxes. Defaults
            to 0.3.
        show (bool): Show in a window. Defaults to False.
        wait_time (float): Seconds to show. Defaults to 0.
        test_out_dir (str, optional): Output folder for test drawings,
            relative to ``{work_dir}/{timestamp}``.
        backend_args (dict, optional): File backend arguments.
    """

    def __init__(self,
                 draw: bool = False,
                 interval: int = 50,
                 score_thr: float = 0.3,
                 show: bool = False,
                 wait_time: float = 0.,
                 test_out_dir: Optional[str] = None,
                 backend_args: Optional[dict] = None) -> None:
        self._visualizer: Visualizer = Visualizer.get_current_instance()
        self.interval = interval
        self.score_thr = score_thr
        self.show = show
        if self.show:
            self._visualizer._vis_backends = {}
        self.wait_time = wait_time
        self.backend_args = backend_args
        self.draw = draw
        self.test_out_dir = test_out_dir
        self._test_index = 0

    def _read_frame(self, data_sample):
        img_bytes = get(data_sample.img_path, backend_args=self.backend_args)
        return mmcv.imfrombytes(img_bytes, channel_order='rgb')

    def after_val_iter(self, runner: Runner, batch_idx: int, data_batch: dict,
                       outputs: Sequence) -> None:
        """Draw the first key frame of every ``interval``-th batch."""
        if not self.draw or not outputs:
            return
        total_curr_iter = runner.iter + batch_idx
        if total_curr_iter % self.interval != 0:
            return
        sample = outputs[0]
        self._visualizer.add_datasample(
            osp.basename(sample.img_path) if 'img_path' in sample else
            'val_frame',
            self._read_frame(sample),
            data_sample=sample,
            draw_gt=False,
            show=self.show,
            wait_time=self.wait_time,
            pred_score_thr=self.score_thr,
            step=total_curr_iter)

    def after_test_iter(self, runner: Runner, batch_idx: int, data_batch: dict,
                        outputs: Sequence) -> None:
        """Draw every key frame of the batch."""
        if not self.draw:
            return
        if self.test_out_dir is not None and not osp.isabs(self.test_out_dir):
            self.test_out_dir = osp.join(runner.work_dir, runner.timestamp,
                                         self.test_out_dir)
        for sample in outputs:
            self._test_index += 1
            key = sample.metainfo.get('frame_key',
                                      f'frame_{self._test_index:06d}.png')
            out_file = None
            if self.test_out_dir is not None:
                out_file = osp.join(self.test_out_dir,
                                    osp.splitext(key)[0] + '.png')
                mkdir_or_exist(osp.dirname(out_file))
            self._visualizer.add_datasample(
                key,
                self._read_frame(sample),
                data_sample=sample,
                draw_gt=False,
                show=self.show,
                wait_time=self.wait_time,
                pred_score_thr=self.score_thr,
                out_file=out_file,
                step=self._test_index)
