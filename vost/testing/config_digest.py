"""Digests of resolved configs: a check that a config restructuring keeps
every resolved value.

A config is resolved with :meth:`mmengine.config.Config.fromfile` and cut
into key paths: a top-level key whose value is a dict gives one path per
sub-key (``model.backbone``, ``train_dataloader.dataset``), any other
top-level key one path. Each path gets the SHA-1 of a canonical text of its
value (dicts by sorted key, lists and tuples kept apart), so two resolved
configs are equal key by key exactly when their digests are.
``tools/dev/config_digest.py`` writes the reference digests that
``tests/test_foundation/test_resolved_configs.py`` compares against.
"""
import glob
import hashlib
import os.path as osp
from typing import Any, Dict, List

from mmengine.config import Config

__all__ = ['canonical_text', 'config_digest', 'shipped_configs']


def canonical_text(value: Any) -> str:
    """Order-independent text of a config value.

    Args:
        value: a resolved config value (dicts, lists, tuples, scalars).

    Returns:
        str: equal for equal values; dict order does not count, a list and a
        tuple of the same items differ.
    """
    if isinstance(value, dict):
        items = ', '.join(f'{k!r}: {canonical_text(value[k])}'
                          for k in sorted(value, key=str))
        return '{' + items + '}'
    if isinstance(value, list):
        return '[' + ', '.join(canonical_text(v) for v in value) + ']'
    if isinstance(value, tuple):
        return '(' + ', '.join(canonical_text(v) for v in value) + ',)'
    return repr(value)


def config_digest(path: str) -> Dict[str, str]:
    """Digest of one resolved config, per key path.

    The config is resolved as the runner sees it: with ``model.task``
    (and causal switch) written into its datasets and metrics
    (:func:`vost.engine.fill_from_model`).

    Args:
        path: the config file.

    Returns:
        dict: key path (``'model.backbone'``, ``'max_epochs'``) -> the first
        12 hex digits of the SHA-1 of its canonical text.
    """
    from vost.engine.runner import fill_from_model
    cfg = fill_from_model(Config.fromfile(path)).to_dict()
    digest = {}
    for key, value in cfg.items():
        parts = value.items() if isinstance(value, dict) else [(None, value)]
        for sub, sub_value in parts:
            name = key if sub is None else f'{key}.{sub}'
            text = canonical_text(sub_value).encode()
            digest[name] = hashlib.sha1(text).hexdigest()[:12]
    return digest


def shipped_configs(config_root: str) -> List[str]:
    """The runnable configs under a config folder (``_base_`` excluded).

    Args:
        config_root: the ``configs`` folder.

    Returns:
        list[str]: paths relative to ``config_root``, sorted.
    """
    paths = glob.glob(osp.join(config_root, '**', '*.py'), recursive=True)
    rel = [osp.relpath(p, config_root) for p in paths]
    return sorted(p for p in rel if not p.startswith('_base_'))
