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

__all__ = ['GTSourceError', 'check_gt_source']


class GTSourceError(ValueError):
    """The metric's GT does not hold the frames the loop predicts (the
    message names both roots)."""


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


def _metric_options(evaluator_cfg: Any, key: str) -> List[str]:
    """How to set each metric's ``data_root`` with ``--cfg-options``.

    ``tools/test.py --out`` turns a dict evaluator into a list (the metric,
    then the dump), and a dumped config keeps the list: the first metric of
    a list is named both ways.
    """
    if isinstance(evaluator_cfg, (list, tuple)):
        return [f'{key}.data_root=ROOT ({key}.0.data_root where {key} is a '
                'list, as in a dumped config)' if i == 0 else
                f'{key}.{i}.data_root=ROOT'
                for i in range(len(evaluator_cfg))]
    if isinstance(evaluator_cfg, dict) and isinstance(
            evaluator_cfg.get('metrics'), (list, tuple)):
        return [f'{key}.metrics.{i}.data_root=ROOT'
                for i in range(len(evaluator_cfg['metrics']))]
    if isinstance(evaluator_cfg, dict) and isinstance(
            evaluator_cfg.get('metrics'), dict):
        return [f'{key}.metrics.data_root=ROOT']
    return [f'{key}.data_root=ROOT']


def _same_place(a: str, b: str) -> bool:
    return osp.realpath(str(a)) == osp.realpath(str(b))


def check_gt_source(dataset: Any, evaluator: Any, evaluator_cfg: Any = None,
                    loader_key: str = 'test_dataloader',
                    evaluator_key: str = 'test_evaluator') -> None:
    """Raise before inference when the metric's GT misses the loop's frames.

    Args:
        dataset: The loop's dataset (wrappers allowed).
        evaluator (Evaluator): The loop's evaluator (``.metrics``).
        evaluator_cfg: The evaluator's config, for the option to set
            (``test_evaluator.0.data_root`` for a list). Defaults to
            None.
        loader_key (str): The dataloader's config key, for the message.
        evaluator_key (str): The evaluator's config key, for the message.

    Raises:
        GTSourceError: Some frames the loop will predict are not GT frames
            of an Action Genome metric; the message names both roots.
    """
    metrics = list(getattr(evaluator, 'metrics', []))
    options = _metric_options(evaluator_cfg, evaluator_key)
    pairs: List[Tuple[Any, str]] = [
        (m, options[i] if i < len(options) else
         f'{evaluator_key}.{i}.data_root=ROOT')
        for i, m in enumerate(metrics) if _is(m, 'ActionGenomeSGGMetric')]
    if not pairs:
        return
    for data in _leaf_datasets(dataset):
        if not _is(data, 'ActionGenomeDataset'):
            continue
        keys = None
        for metric, option in pairs:
            if _same_place(data.data_root, metric.data_root) and \
                    data.split == metric.split:
                continue
            keys = keys if keys is not None else _frame_keys(data)
            gt = set(metric.load_gt().frame_keys)
            outside = [k for k in keys if k not in gt]
            if not outside:
                continue
            raise GTSourceError(
                f'{loader_key}: {len(outside)} of the {len(keys)} frames '
                f'to predict are not GT frames of the metric (first: '
                f'{outside[0]}). The metric reads its GT from its own '
                f'data_root: {loader_key}.dataset.data_root='
                f'{data.data_root!r} (split {data.split!r}) but the '
                f'{evaluator_key} metric has data_root='
                f'{metric.data_root!r} (split {metric.split!r}). Point both '
                f'at one data set: --cfg-options {loader_key}.dataset.'
                f'data_root=ROOT {option}')
