"""Settings a config states once, in the model; the runner passes them on.

Two settings of a VOST config concern the model and the data alike, and
each is stated in one place, the model:

- the task, ``model.task`` (``'sgdet'``, ``'sgcls'`` or ``'predcls'``;
  the detector passes it to its head and query generator, docs/model.md).
  The datasets need it for their small-box filter and the metrics for
  their protocol;
- causal (streaming) inference, ``model.temporal.decoder.causal``. The
  datasets' clip samplers must then take past frames only.

:func:`fill_from_model` writes them where they are needed: the task into
every Action Genome dataset of the three dataloaders (through dataset
wrappers) and every Action Genome metric of the two evaluators, and
``causal=True`` into those datasets' clip samplers. :class:`SGRunner`
(``runner_type = 'SGRunner'`` in ``configs/_base_/default_runtime.py``)
calls it before building anything. A PredCls config is then its SGDet
config with ``model.task`` and the query generator changed; a causal config
its temporal config with the decoder's ``causal`` switched
(docs/config_guide.md).

A dataset, metric or sampler that states a value of its own keeps it when
it agrees with the model and is an error when it does not. Tools that
build datasets without a runner (``browse_dataset.py``,
``extract_vlm_features.py``) call :func:`fill_from_model` themselves; a
script that builds mmengine's plain ``Runner`` from a config must too, or
the metric refuses to build without a task.
"""
import copy
import os.path as osp
from typing import Any, List, Optional

from mmengine.config import Config
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner, find_latest_checkpoint
from mmengine.runner.checkpoint import (_load_checkpoint,
                                        _load_checkpoint_to_model)

from vost.registry import DATASETS, METRICS, RUNNERS
from vost.utils.checkpoint_files import (ATOMIC_BACKEND, CheckpointError,
                                         checkpoint_problem,
                                         newest_intact_checkpoint,
                                         remove_stale_tmp_files)
from vost.utils.checkpoint_fit import check_checkpoint_fit
from .gt_source_check import check_gt_source

__all__ = ['fill_from_model', 'SGRunner']

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


def _set(cfg: dict, key: str, value: Any, path: str, source: str) -> None:
    stated = cfg.get(key)
    if stated is not None and stated != value:
        raise ValueError(
            f'{path}.{key}={stated!r} contradicts {source}={value!r}: a '
            f'config states it once, as {source} (the data and metrics get '
            'it from there; docs/config_guide.md)')
    cfg[key] = value


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


def _ag_datasets(cfg: Config) -> List[tuple]:
    out = []
    for key in DATALOADERS:
        loader = cfg.get(key)
        if isinstance(loader, dict):
            out += [(d, p) for d, p in _datasets(loader.get('dataset'),
                                                 f'{key}.dataset')
                    if _is_subclass(d, DATASETS, 'ActionGenomeDataset')]
    return out


def _causal(model: dict) -> bool:
    temporal = model.get('temporal')
    if not isinstance(temporal, dict):
        return False
    decoder = temporal.get('decoder')
    return isinstance(decoder, dict) and bool(decoder.get('causal', False))


def fill_from_model(cfg: Config) -> Config:
    """Write the model's task and causal switch into the data and metrics.

    Args:
        cfg (Config): A resolved config; changed in place. Without a
            ``model`` dict (a dataset-only config) nothing changes; without
            ``model.task`` the task is not filled.

    Returns:
        Config: ``cfg``.

    Raises:
        ValueError: a dataset, metric or clip sampler states another value
            (the error names its key path).
    """
    model = cfg.get('model')
    if not isinstance(model, dict):
        return cfg
    task: Optional[str] = model.get('task')
    if task is not None:
        for dataset, path in _ag_datasets(cfg):
            _set(dataset, 'task', task, path, 'model.task')
        for key in EVALUATORS:
            for metric, path in _metrics(cfg.get(key), key):
                if _is_subclass(metric, METRICS, 'ActionGenomeSGGMetric'):
                    _set(metric, 'task', task, path, 'model.task')
    if _causal(model):
        for dataset, path in _ag_datasets(cfg):
            sampler = dataset.get('clip_sampler')
            if isinstance(sampler, dict):
                _set(sampler, 'causal', True, f'{path}.clip_sampler',
                     'model.temporal.decoder.causal')
    return cfg


@RUNNERS.register_module()
class SGRunner(Runner):
    """mmengine's Runner, built from a config whose task (and causal
    switch) is stated once, in the model.

    ``from_cfg`` (what ``RUNNERS.build`` and ``tools/train.py`` /
    ``tools/test.py`` call) runs :func:`fill_from_model` on a copy of the
    config first. Checkpoints are written atomically and checked when read
    (:mod:`vost.utils.checkpoint_files`), and their weights must fit the
    model (:mod:`vost.utils.checkpoint_fit`): in :meth:`test` a mismatch is
    an error unless ``allow_partial_load`` is set (``tools/test.py
    --allow-partial-load``); in :meth:`train` (``load_from``) it is logged
    as a warning and repeated in the run summary. Everything else is
    mmengine's.
    """

    #: Test with a checkpoint that does not fit the model (warned about).
    allow_partial_load: bool = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._strict_weights = False
        #: Messages on loaded checkpoints that did not fit the model.
        self._load_mismatches: List[str] = []

    @classmethod
    def from_cfg(cls, cfg: Config) -> 'SGRunner':
        """Build the runner from ``cfg`` with the model's settings filled
        in.

        Args:
            cfg (Config): The resolved config.

        Returns:
            SGRunner: The runner.
        """
        return super().from_cfg(fill_from_model(copy.deepcopy(cfg)))

    def save_checkpoint(self, out_dir: str, filename: str,
                        file_client_args: Optional[dict] = None,
                        *args, backend_args: Optional[dict] = None,
                        **kwargs) -> None:
        """mmengine's ``save_checkpoint``, written atomically to a local
        folder (:mod:`vost.utils.checkpoint_files`); other backends as
        given."""
        if file_client_args is None and backend_args is None and \
                '://' not in str(out_dir):
            backend_args = dict(backend=ATOMIC_BACKEND)
        super().save_checkpoint(out_dir, filename, file_client_args, *args,
                                backend_args=backend_args, **kwargs)

    def load_checkpoint(self, filename: str, map_location='cpu',
                        strict: bool = False,
                        revise_keys: list = [(r'^module.', '')]):
        """mmengine's ``load_checkpoint``, with the weights checked
        against the model after the ``after_load_checkpoint`` hooks and
        before they load (strict in :meth:`test`; see the class doc)."""
        checkpoint = _load_checkpoint(filename, map_location=map_location)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(self.model) else \
            self.model
        message = check_checkpoint_fit(
            model, checkpoint, filename, self.cfg.get('model'),
            getattr(self.cfg, 'filename', None), strict=self._strict_weights,
            warn=self.logger.warning, revise_keys=revise_keys)
        if message is not None:
            self._load_mismatches.append(message)
        checkpoint = _load_checkpoint_to_model(
            model, checkpoint, strict, revise_keys=revise_keys)
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint

    def train(self):
        """mmengine's ``train``; then the run summary repeats what did not
        fit in the loaded checkpoint (``load_from``), if anything."""
        self._strict_weights = False
        model = super().train()
        for message in self._load_mismatches:
            self.logger.warning(f'run summary: {message}')
        return model

    def build_test_loop(self, loop):
        """mmengine's ``build_test_loop``; then the metric's GT must hold
        the frames the loop predicts (:func:`check_gt_source`), before any
        inference."""
        loop = super().build_test_loop(loop)
        _check_loop_gt(loop, self.cfg, 'test')
        return loop

    def build_val_loop(self, loop):
        """mmengine's ``build_val_loop``, checked as
        :meth:`build_test_loop`."""
        loop = super().build_val_loop(loop)
        _check_loop_gt(loop, self.cfg, 'val')
        return loop

    def test(self) -> dict:
        """mmengine's ``test``, loading the checkpoint strictly unless
        ``allow_partial_load``."""
        self._strict_weights = not self.allow_partial_load
        return super().test()

    def resume(self, filename: str, *args, **kwargs) -> None:
        """mmengine's ``resume``; a broken checkpoint names the newest
        intact one of its folder."""
        try:
            super().resume(filename, *args, **kwargs)
        except CheckpointError as exc:
            intact, _ = newest_intact_checkpoint(osp.dirname(filename))
            hint = (f'; the newest intact checkpoint there is {intact}: '
                    f'resume from it with --resume {intact}' if intact else
                    '; that folder holds no intact checkpoint')
            raise CheckpointError(f'{exc}{hint}') from exc

    def load_or_resume(self) -> None:
        """mmengine's ``load_or_resume``; an automatic resume whose newest
        checkpoint is broken takes the newest intact one (and logs it)."""
        if self._resume and self._load_from is None and \
                not self._has_loaded:
            latest = find_latest_checkpoint(self.work_dir)
            candidates = [latest] if latest else []
            if latest is None or checkpoint_problem(latest):
                intact, skipped = newest_intact_checkpoint(self.work_dir)
                for path, problem in skipped:
                    self.logger.warning(
                        f'resume: skipping checkpoint {path}: it {problem}')
                candidates = [intact] if intact else []
            if candidates and candidates[0] != latest:
                self.logger.warning(
                    f'resume: the newest checkpoint ({latest}) cannot be '
                    f'used; resuming from {candidates[0]}, the newest intact '
                    'one')
            if candidates:
                self._load_from = candidates[0]
            for path in remove_stale_tmp_files(self.work_dir):
                self.logger.warning(
                    f'resume: removed {path}, left by a killed save')
        super().load_or_resume()


def _check_loop_gt(loop: Any, cfg: Config, stage: str) -> None:
    """:func:`check_gt_source` on a built loop's dataset and evaluator."""
    dataloader = getattr(loop, 'dataloader', None)
    evaluator = getattr(loop, 'evaluator', None)
    if dataloader is None or evaluator is None:
        return
    check_gt_source(dataloader.dataset, evaluator,
                    cfg.get(f'{stage}_evaluator'),
                    loader_key=f'{stage}_dataloader',
                    evaluator_key=f'{stage}_evaluator')
