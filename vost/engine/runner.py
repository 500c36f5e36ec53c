"""The task is stated once, as ``model.task``; the runner passes it on.

A VOST config states its task (``'sgdet'``, ``'sgcls'`` or ``'predcls'``)
in one place, the model (``model.task``; the detector passes it to its
head and query generator, docs/model.md). The datasets (whose small-box
filter depends on the task) and the metrics (whose protocol does) get it
from there: :func:`fill_task` writes ``model.task`` into every Action Genome
dataset of the three dataloaders and every Action Genome metric of the two
evaluators, and :class:`SGRunner` (``runner_type = 'SGRunner'`` in
``configs/_base_/default_runtime.py``) calls it before building anything.
A PredCls config is then its SGDet config with ``model.task`` and the
query generator changed, nothing else (docs/config_guide.md).

A dataset or metric that states a task of its own keeps it when it agrees
with ``model.task`` and is an error when it does not. Tools that build
datasets without a runner (``browse_dataset.py``,
``extract_vlm_features.py``) call :func:`fill_task` themselves; a script
that builds mmengine's plain ``Runner`` from a config must too, or the
metric refuses to build without a task.
"""
import copy
from typing import Any, List, Optional

from mmengine.config import Config
from mmengine.runner import Runner

from vost.registry import DATASETS, METRICS, RUNNERS

__all__ = ['fill_task', 'SGRunner']

DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
EVALUATORS = ('val_evaluator', 'test_evaluator')


def _is_subclass(cfg: dict, registry, base_name: str) -> bool:
    """Whether the config dict builds a subclass of ``base_name``."""
    obj_type = cfg.get('type')
    if isinstance(obj_type, str):
        obj_type = registry.get(obj_type)
    if not isinstance(obj_type, type):
        return False
    return any(c.__name__ == base_name for c in obj_type.__mro__)


def _set_task(cfg: dict, task: str, path: str) -> None:
    stated = cfg.get('task')
    if stated is not None and stated != task:
        raise ValueError(
            f'{path}.task={stated!r} contradicts model.task={task!r}: a '
            'config states its task once, as model.task (the datasets and '
            'metrics get it from there; docs/config_guide.md)')
    cfg['task'] = task


def _datasets(cfg: Any, path: str) -> List[tuple]:
    """(dataset config, key path) of the leaf datasets, through wrappers
    (``dataset=`` of RepeatDataset & co., ``datasets=`` of
    ConcatDataset)."""
    if not isinstance(cfg, dict):
        return []
    if isinstance(cfg.get('dataset'), dict):
        return _datasets(cfg['dataset'], f'{path}.dataset')
    if isinstance(cfg.get('datasets'), (list, tuple)):
        return [leaf for i, d in enumerate(cfg['datasets'])
                for leaf in _datasets(d, f'{path}.datasets[{i}]')]
    return [(cfg, path)]


def _metrics(cfg: Any, path: str) -> List[tuple]:
    """(metric config, key path) of an evaluator config: one metric dict,
    a list of them, or an Evaluator dict with ``metrics=``."""
    if isinstance(cfg, (list, tuple)):
        return [(m, f'{path}[{i}]') for i, m in enumerate(cfg)
                if isinstance(m, dict)]
    if not isinstance(cfg, dict):
        return []
    if 'metrics' in cfg:
        return _metrics(cfg['metrics'], f'{path}.metrics')
    return [(cfg, path)]


def fill_task(cfg: Config) -> Config:
    """Write ``cfg.model.task`` into the config's AG datasets and metrics.

    Args:
        cfg (Config): A resolved config; changed in place. Without
            ``model.task`` (a dataset-only config) nothing changes.

    Returns:
        Config: ``cfg``.

    Raises:
        ValueError: a dataset or metric states another task (names its
            key path).
    """
    model = cfg.get('model')
    task: Optional[str] = model.get('task') if isinstance(model, dict) \
        else None
    if task is None:
        return cfg
    for key in DATALOADERS:
        loader = cfg.get(key)
        if not isinstance(loader, dict):
            continue
        for dataset, path in _datasets(loader.get('dataset'),
                                       f'{key}.dataset'):
            if _is_subclass(dataset, DATASETS, 'ActionGenomeDataset'):
                _set_task(dataset, task, path)
    for key in EVALUATORS:
        for metric, path in _metrics(cfg.get(key), key):
            if _is_subclass(metric, METRICS, 'ActionGenomeSGGMetric'):
                _set_task(metric, task, path)
    return cfg


@RUNNERS.register_module()
class SGRunner(Runner):
    """mmengine's Runner, built from a config whose task is stated once.

    ``from_cfg`` (what ``RUNNERS.build`` and ``tools/train.py`` /
    ``tools/test.py`` call) runs :func:`fill_task` on a copy of the config
    first; everything else is mmengine's.
    """

    @classmethod
    def from_cfg(cls, cfg: Config) -> 'SGRunner':
        """Build the runner from ``cfg`` with the task filled in.

        Args:
            cfg (Config): The resolved config.

        Returns:
            SGRunner: The runner.
        """
        return super().from_cfg(fill_task(copy.deepcopy(cfg)))

