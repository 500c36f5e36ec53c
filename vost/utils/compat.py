"""Fixes the pinned stack needs on torch 2.13 and on CPU-only machines.

Everything here is applied by our code at run time; nothing edits
site-packages.

1. **Checkpoints under torch >= 2.6.** ``torch.load`` defaults to
   ``weights_only=True``, which refuses mmengine checkpoints (they hold
   ``HistoryBuffer`` objects, numpy arrays and dtypes in ``message_hub``).
   :func:`register_trusted_checkpoint_loader` replaces mmengine's loader for
   local files with one that passes ``weights_only=False``. Only load
   checkpoints you trust: unpickling can run code.
2. **Distributed training on CPU.** mmengine's ``pytorch`` launcher calls
   ``torch.cuda.set_device`` and its DDP wrapper passes
   ``device_ids=[local_rank]``; both fail without CUDA.
   :func:`setup_cpu_distributed` initialises the process group with gloo
   before the Runner is built and :func:`adapt_cfg_for_device` sets
   ``device_ids=None`` explicitly.
3. **``vost::`` config bases.** mmengine resolves ``package::path`` only
   for packages in its fixed ``MODULE2PACKAGE`` table, and finds the package
   through its distribution location, which for an editable (PEP 660)
   install is site-packages rather than the source tree.
   :func:`enable_vost_config_scope` adds ``vost`` to the table and falls
   back to the imported module's directory. It runs on ``import vost``.
"""
import importlib.util
import os
import os.path as osp
import pickle

import torch
import torch.distributed as dist

__all__ = [
    'register_trusted_checkpoint_loader', 'setup_cpu_distributed',
    'adapt_cfg_for_device', 'apply_stack_fixes', 'enable_vost_config_scope'
]


def load_from_local_trusted(filename: str, map_location=None):
    """Load a local checkpoint with ``weights_only=False``.

    Args:
        filename (str): Path of a local checkpoint file.
        map_location: Passed to :func:`torch.load`.

    Returns:
        dict | OrderedDict: The loaded checkpoint.
    """
    from .checkpoint_files import CheckpointError, checkpoint_problem
    filename = osp.expanduser(filename)
    if not osp.isfile(filename) and not osp.isdir(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    problem = checkpoint_problem(filename)
    if problem is not None:
        raise CheckpointError(f'checkpoint {filename} {problem}')
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=False)
    except (RuntimeError, EOFError, ValueError, OSError,
            pickle.UnpicklingError) as exc:
        raise CheckpointError(
            f'checkpoint {filename} cannot be read by torch.load: '
            f'{type(exc).__name__}: {exc}') from exc


def register_trusted_checkpoint_loader() -> None:
    """Make mmengine load local checkpoints with ``weights_only=False``."""
    from mmengine.runner.checkpoint import CheckpointLoader
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local_trusted, force=True)


def setup_cpu_distributed(launcher: str) -> bool:
    """Initialise a gloo process group when launched without CUDA.

    torchrun sets ``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR`` and
    ``MASTER_PORT``; mmengine then finds the group initialised and skips its
    CUDA-only launcher code.

    Args:
        launcher (str): The ``--launcher`` argument of the tool.

    Returns:
        bool: True if this call initialised a gloo process group.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return False
    if dist.is_available() and dist.is_initialized():
        return False
    if launcher != 'pytorch':
        raise RuntimeError(
            f'Launcher "{launcher}" needs CUDA; on a CPU-only machine use '
            '`--launcher pytorch` through tools/dist_train.sh (torchrun).')
    dist.init_process_group(backend='gloo', init_method='env://')
    return True


def adapt_cfg_for_device(cfg) -> None:
    """Adapt a config in place for distributed runs without CUDA.

    Sets the gloo backend and a DDP wrapper with ``device_ids=None`` (the
    ``None`` must be explicit: mmengine's default passes the local rank).

    Args:
        cfg (mmengine.Config): The config to modify.
    """
    if torch.cuda.is_available() or cfg.get('launcher', 'none') == 'none':
        return
    env_cfg = cfg.setdefault('env_cfg', {})
    env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel')
    wrapper['device_ids'] = None
    wrapper.setdefault('broadcast_buffers', False)
    wrapper.setdefault('find_unused_parameters', True)
    cfg.model_wrapper_cfg = wrapper


def _patched_get_installed_path(original):
    """Wrap mmengine's ``get_installed_path`` with an import-based fallback.
    """

    def get_installed_path(package: str) -> str:
        path = original(package)
        if osp.isdir(path):
            return path
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin is not None:
            return osp.dirname(spec.origin)
        return path

    get_installed_path._vost_patched = True
    return get_installed_path


def enable_vost_config_scope() -> None:
    """Let mmengine resolve ``_base_ = 'vost::...'`` (installed or editable).
    """
    import mmengine.config.config as mm_config
    import mmengine.config.utils as mm_config_utils
    mm_config_utils.MODULE2PACKAGE.setdefault('vost', 'vost')
    if not getattr(mm_config.get_installed_path, '_vost_patched', False):
        mm_config.get_installed_path = _patched_get_installed_path(
            mm_config.get_installed_path)


def apply_stack_fixes() -> None:
    """Apply every run-time fix of this module that needs no arguments."""
    enable_vost_config_scope()
    register_trusted_checkpoint_loader()
    # Tests and tools must never reach a model hub.
    os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')
