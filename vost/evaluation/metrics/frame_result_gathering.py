"""Gather per-key-frame results of all ranks, without loss or duplication."""
from typing import Any, List

from mmengine.dist import all_gather_object, get_world_size

__all__ = ['gather_frame_results']


def gather_frame_results(results: List[Any]) -> List[Any]:
    """Concatenate every rank's per-frame results, in rank order.

    ``BaseMetric.evaluate(size)`` gathers with mmengine's
    ``collect_results``, which truncates the gathered list to ``size``, the
    dataset length; that length counts videos or key frames depending on
    the dataset (mmdet's ``BaseVideoMetric`` avoids it for the same
    reason), so frames could be lost. Here every rank's full list is
    gathered and concatenated; repeats from sampler padding are resolved by
    the caller, keyed by frame.

    Args:
        results (list): This rank's results (picklable).

    Returns:
        list: All ranks' results, rank 0's first (on every rank).
    """
    if get_world_size() == 1:
        return list(results)
    parts = all_gather_object(list(results))
    return [item for part in parts for item in part]
