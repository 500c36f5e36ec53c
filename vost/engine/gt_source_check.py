"""The test GT comes from the metric: check it matches the data, early.

The Action Genome metric reads its ground truth from its own
``data_root`` (``test_evaluator.data_root``), not from the dataset the loop
predicts on (``test_dataloader.dataset.data_root``); overriding only the
dataset's root would run the whole inference and then fail in the metric
("N predictions name a frame that is not an evaluated GT frame").
:func:`check_gt_source` runs when the runner builds a test or validation
loop, before any weights are loaded or frames predicted: where the two
roots (or splits) differ, every frame the loop will predict must be one of
the metric's GT frames, else the error names both roots and the option to
set. Equal roots and splits cost nothing (the GT is not loaded early).
(The structural fix, one GT source, belongs to the data redesign.)
"""
import os.path as osp
from typing import Any, Iterator, List, Tuple

__all__ = ['check_gt_source']


def _leaf_datasets(dataset: Any) -> Iterator[Any]:
    """The datasets inside dataset wrappers (``dataset`` / ``datasets``)."""
    if hasattr(dataset, 'datasets'):
        for d in dataset.datasets:
            yield from _leaf_datasets(d)
    elif hasattr(dataset, 'dataset'):
        yield from _leaf_datasets(dataset.dataset)
    else:
        yield dataset


def _is(obj: Any, name: str) -> bool:
    return any(c.__name__ == name for c in type(obj).__mro__)


def _frame_keys(dataset: Any) -> List[str]:
    return [image['frame_key'] for v in range(dataset.num_videos)
            for image in dataset.get_video_info(v)['images']]


def _metric_paths(evaluator_cfg: Any, key: str) -> List[str]:
    """The option path of each metric of an evaluator config."""
    if isinstance(evaluator_cfg, (list, tuple)):
        return [f'{key}.{i}' for i in range(len(evaluator_cfg))]
    if isinstance(evaluator_cfg, dict) and isinstance(
            evaluator_cfg.get('metrics'), (list, tuple)):
        return [f'{key}.metrics.{i}'
                for i in range(len(evaluator_cfg['metrics']))]
    if isinstance(evaluator_cfg, dict) and isinstance(
            evaluator_cfg.get('metrics'), dict):
        return [f'{key}.metrics']
    return [key]


def _same_place(a: str, b: str) -> bool:
    return osp.realpath(str(a)) == osp.realpath(str(b))


def check_gt_source(dataset: Any, evaluator: Any, evaluator_cfg: Any = None,
                    loader_key: str = 'test_dataloader',
                    evaluator_key: str = 'test_evaluator') -> None:
    """Raise before inference when the metric's GT misses the loop's frames.

    Args:
        dataset: The loop's dataset (wrappers allowed).
        evaluator (Evaluator): The loop's evaluator (``.metrics``).
        evaluator_cfg: The evaluator's config, for the option path
            (``test_evaluator.0`` for a list). Defaults to None.
        loader_key (str): The dataloader's config key, for the message.
        evaluator_key (str): The evaluator's config key, for the message.

    Raises:
        ValueError: Some frames the loop will predict are not GT frames of
            an Action Genome metric; the message names both roots.
    """
    metrics = list(getattr(evaluator, 'metrics', []))
    paths = _metric_paths(evaluator_cfg, evaluator_key)
    pairs: List[Tuple[Any, str]] = [
        (m, paths[i] if i < len(paths) else f'{evaluator_key}.{i}')
        for i, m in enumerate(metrics) if _is(m, 'ActionGenomeSGGMetric')]
    if not pairs:
        return
    for data in _leaf_datasets(dataset):
        if not _is(data, 'ActionGenomeDataset'):
            continue
        keys = None
        for metric, path in pairs:
            if _same_place(data.data_root, metric.data_root) and \
                    data.split == metric.split:
                continue
            keys = keys if keys is not None else _frame_keys(data)
            gt = set(metric.load_gt().frame_keys)
            outside = [k for k in keys if k not in gt]
            if not outside:
                continue
            raise ValueError(
                f'{loader_key}: {len(outside)} of the {len(keys)} frames '
                f'to predict are not GT frames of the metric (first: '
                f'{outside[0]}). The metric reads its GT from its own '
                f'data_root: {loader_key}.dataset.data_root='
                f'{data.data_root!r} (split {data.split!r}) but '
                f'{path}.data_root={metric.data_root!r} (split '
                f'{metric.split!r}). Point both at one data set: '
                f'--cfg-options {loader_key}.dataset.data_root=ROOT '
                f'{path}.data_root=ROOT')
