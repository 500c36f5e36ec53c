"""What the main job (``tools/main_job.py``) reads from a config: its data
set, how it is generated, and the metric options the evaluation CLI must be
given."""
import functools
import os.path as osp

__all__ = [
    'DATA_ROOT_KEYS', 'load_config', 'subjects_of', 'data_settings',
    'data_root_options', 'subset_args'
]


@functools.lru_cache(maxsize=8)
def load_config(config: str):
    """The resolved config (cached: every query reads the same file)."""
    import vost.registry  # noqa: F401  (lets mmengine resolve vost:: bases)
    from mmengine.config import Config
    return Config.fromfile(config)


#: Where a config names its data root.
DATA_ROOT_KEYS = ('train_dataloader.dataset.data_root',
                  'val_dataloader.dataset.data_root',
                  'test_dataloader.dataset.data_root',
                  'val_evaluator.data_root', 'test_evaluator.data_root')


def subjects_of(config: str, cfg_options=()) -> str:
    """The test metric's ``subjects`` option (``'one_person'``, the
    published protocol, unless the config or ``--cfg-options`` evaluate
    several people)."""
    for opt in cfg_options:
        if opt.startswith('test_evaluator.subjects='):
            return opt.split('=', 1)[1]
    cfg = load_config(config)
    return cfg.test_evaluator.get('subjects', 'one_person')


def data_settings(config: str) -> tuple:
    """The config's data root and ``synthetic_max_people`` (1 if unset:
    the several-people configs state how their data set is made)."""
    cfg = load_config(config)
    return (osp.normpath(cfg.test_dataloader.dataset.data_root),
            int(cfg.get('synthetic_max_people', 1)))


def data_root_options(config: str, data_root: str) -> list:
    """``--cfg-options`` pointing the config at ``data_root`` (none when
    it is the config's own)."""
    cfg = load_config(config)
    own = cfg.test_dataloader.dataset.data_root
    if osp.normpath(own) == osp.normpath(data_root):
        return []
    return [f'{key}={osp.normpath(data_root)}/' for key in DATA_ROOT_KEYS]


def subset_args(config: str) -> list:
    """eval_sgg's ``--predicate-subset`` arguments of the config's test
    metric (the zero-shot configs' novel / base predicates)."""
    cfg = load_config(config)
    args = []
    for name, names in (cfg.test_evaluator.get('predicate_subsets')
                        or {}).items():
        names = [names] if isinstance(names, str) else list(names)
        args += ['--predicate-subset', name, *names]
    return args
