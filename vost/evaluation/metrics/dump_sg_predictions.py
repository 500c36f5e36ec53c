"""Dump the model's key-frame predictions as a prediction file."""
from typing import Any, Dict, List, Sequence

from mmengine.dist import broadcast_object_list, is_main_process
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from vost.registry import METRICS
from ..functional import (deduplicate_predictions, dump_predictions,
                          sg_sample_to_prediction)
from .frame_result_gathering import gather_frame_results

__all__ = ['DumpSGPredictions']


@METRICS.register_module()
class DumpSGPredictions(BaseMetric):
    """Write predictions in the prediction file format (like mmdet's
    ``DumpDetResults``); used by ``tools/test.py --out FILE``.

    The file is a pickled list with one dict per key frame, sorted by
    ``frame_key`` (format in ``docs/evaluation.md``), readable by
    ``tools/analysis_tools/eval_sgg.py``. Results of all ranks are gathered
    in full; repeats of a frame (sampler padding; equal up to float noise,
    ``same_prediction``) are dropped.

    Args:
        out_file_path (str): Output ``.pkl`` / ``.pickle`` path.
        collect_device (str): Kept for mmengine compatibility.
            Defaults to ``'cpu'``.
    """
    default_prefix = None

    def __init__(self,
                 out_file_path: str,
                 collect_device: str = 'cpu',
                 **kwargs) -> None:
        super().__init__(collect_device=collect_device, **kwargs)
        if not out_file_path.endswith(('.pkl', '.pickle')):
            raise ValueError('out_file_path must end with .pkl or .pickle, '
                             f'got {out_file_path!r}')
        self.out_file_path = out_file_path

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Convert each key frame's output to a prediction-file dict."""
        for sample in data_samples:
            self.results.append(sg_sample_to_prediction(sample))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Check, sort by frame key and dump the predictions.

        Args:
            results (list[dict]): Prediction dicts of all ranks.

        Returns:
            dict: Empty (this metric only writes a file).
        """
        preds, dropped = deduplicate_predictions(results, 'test results')
        preds.sort(key=lambda p: p['frame_key'])
        dump_predictions(preds, self.out_file_path)
        extra = f' ({dropped} padding repeats dropped)' if dropped else ''
        print_log(
            f'{len(preds)} key-frame predictions dumped to '
            f'{self.out_file_path}{extra}',
            logger='current')
        return {}

    def evaluate(self, size: int) -> dict:
        """Gather all ranks' results in full and dump them (main process).

        Args:
            size (int): Dataset length; unused.

        Returns:
            dict: Empty.
        """
        results = gather_frame_results(self.results)
        metrics = [self.compute_metrics(results)] if is_main_process() \
            else [None]
        broadcast_object_list(metrics)
        self.results.clear()
        return metrics[0]
