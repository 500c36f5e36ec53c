"""Whether a checkpoint's weights fit a model, checked before they load.

mmengine loads what fits and prints "do not match exactly" for the rest:
testing the PredCls config with an SGDet checkpoint then reports numbers
from a model whose ``query_generator.label_embed.weight`` is still at its
random initialisation. :func:`checkpoint_mismatch` compares the
checkpoint's state dict with the model's (names and shapes, after the
model's own ``load_state_dict`` pre-hooks, e.g. the one that gives a
stage-1 checkpoint's spatial heads to the temporal heads), and
:func:`check_checkpoint_fit` turns a mismatch into
:class:`CheckpointMismatchError` or a warning:

- ``tools/test.py``, the demos and streaming (:func:`vost.apis.init_sg_model`)
  load strictly; ``--allow-partial-load`` loads what fits, with a warning;
- training's ``load_from`` (fine-tuning, stage 2 from a stage-1
  checkpoint) keeps mmengine's behaviour; the runner logs the mismatch as
  a warning and repeats it in its run summary (``SGRunner``).
"""
import ast
import re
from collections import OrderedDict
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch

from .checkpoint_files import CheckpointError

__all__ = [
    'CheckpointMismatchError', 'checkpoint_mismatch', 'describe_mismatch',
    'check_checkpoint_fit', 'REVISE_KEYS'
]

#: mmengine's default key revision (a DDP-wrapped model's ``module.``).
REVISE_KEYS = [(r'^module\.', '')]
#: Keys named in a message, per kind.
_FIRST = 5


class CheckpointMismatchError(CheckpointError):
    """A checkpoint whose weights do not fit the model (the message names
    the first keys and both models)."""


def _state_dict(checkpoint: dict,
                revise_keys: Sequence[Tuple[str, str]]) -> 'OrderedDict':
    state = checkpoint.get('state_dict', checkpoint) if isinstance(
        checkpoint, dict) else checkpoint
    out = OrderedDict(state)
    for pattern, replacement in revise_keys:
        out = OrderedDict(
            (re.sub(pattern, replacement, k), v) for k, v in out.items())
    return out


def checkpoint_mismatch(
        model: torch.nn.Module,
        checkpoint: dict,
        revise_keys: Sequence[Tuple[str, str]] = REVISE_KEYS) -> Dict:
    """What of a checkpoint does not fit a model.

    Args:
        model (nn.Module): The model (not wrapped).
        checkpoint (dict): A loaded checkpoint (``state_dict`` inside, or a
            plain state dict).
        revise_keys (Sequence[tuple]): ``(pattern, replacement)`` applied
            to the checkpoint's keys first, as mmengine does.

    Returns:
        dict: ``missing`` (model keys the checkpoint lacks; BN's
        ``num_batches_tracked`` ignored, as mmengine does), ``unexpected``
        (checkpoint keys the model lacks) and ``shapes`` (``(key,
        checkpoint shape, model shape)``), each in the model's or the
        checkpoint's key order.
    """
    state = _state_dict(checkpoint, revise_keys)
    # the model's own pre-hooks (e.g. stage-1 -> temporal heads)
    # change the incoming keys before torch compares them: run them on a
    # shallow copy (they add or rename entries, never edit tensors)
    for hook in model._load_state_dict_pre_hooks.values():
        hook(state, '', {}, True, [], [], [])
    own = model.state_dict()
    missing = [k for k in own if k not in state and
               not k.endswith('num_batches_tracked')]
    unexpected = [k for k in state if k not in own]
    shapes = []
    for key, value in own.items():
        theirs = state.get(key)
        if isinstance(theirs, torch.Tensor) and \
                tuple(theirs.shape) != tuple(value.shape):
            shapes.append((key, tuple(theirs.shape), tuple(value.shape)))
    return dict(missing=missing, unexpected=unexpected, shapes=shapes)


def _model_of_cfg_text(text: str) -> Optional[dict]:
    """``type`` and ``task`` of ``model = dict(...)`` in a config's text
    (mmengine stores the run's config as ``meta['cfg']``); read with
    :mod:`ast`, nothing is run."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, TypeError):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == 'model'
                for t in node.targets) and isinstance(node.value, ast.Call):
            out = {}
            for kw in node.value.keywords:
                if kw.arg in ('type', 'task') and isinstance(
                        kw.value, ast.Constant):
                    out[kw.arg] = kw.value.value
            return out
    return None


def _describe_model(model_cfg: Optional[dict]) -> str:
    if not model_cfg:
        return 'an unknown model'
    task = model_cfg.get('task')
    return f"a {model_cfg.get('type', '?')} model" + (
        f' (task {task})' if task else '')


def _first(keys: List[str]) -> str:
    shown = ', '.join(keys[:_FIRST])
    return shown + (f', ... ({len(keys) - _FIRST} more)'
                    if len(keys) > _FIRST else '')


def describe_mismatch(mismatch: Dict, path: str, checkpoint: dict,
                      model_cfg: Optional[dict],
                      config: Optional[str] = None) -> Optional[str]:
    """One sentence on a mismatch, naming the first keys and both models.

    Args:
        mismatch (dict): From :func:`checkpoint_mismatch`.
        path (str): The checkpoint file.
        checkpoint (dict): The loaded checkpoint (its ``meta`` names the
            config it was trained with).
        model_cfg (dict, optional): The ``model`` config of the model.
        config (str, optional): The model's config file.

    Returns:
        str | None: The sentence, None when everything fits.
    """
    parts = []
    if mismatch['missing']:
        parts.append(f"{len(mismatch['missing'])} weight(s) of the model "
                     f"missing from it ({_first(mismatch['missing'])})")
    if mismatch['unexpected']:
        parts.append(f"{len(mismatch['unexpected'])} weight(s) the model "
                     f"does not have ({_first(mismatch['unexpected'])})")
    if mismatch['shapes']:
        shown = [f'{k}: {tuple(a)} in the checkpoint, {tuple(b)} in the '
                 'model' for k, a, b in mismatch['shapes']]
        parts.append(f"{len(shown)} weight(s) of another shape "
                     f'({_first(shown)})')
    if not parts:
        return None
    meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    theirs = _model_of_cfg_text(meta.get('cfg', '')) if isinstance(
        meta.get('cfg'), str) else None
    saved_by = _describe_model(theirs) if theirs else \
        'a model whose config it does not record'
    if meta.get('experiment_name'):
        saved_by += f" (experiment {meta['experiment_name']})"
    ours = _describe_model(model_cfg)
    if config:
        ours += f' ({config})'
    return (f'checkpoint {path} does not fit the model: ' +
            '; '.join(parts) + f'. The checkpoint was saved by {saved_by}; '
            f'this config builds {ours}')


def check_checkpoint_fit(model: torch.nn.Module,
                         checkpoint: dict,
                         path: str,
                         model_cfg: Optional[dict],
                         config: Optional[str] = None,
                         strict: bool = True,
                         warn: Optional[Callable[[str], None]] = None,
                         revise_keys: Sequence[Tuple[str, str]] = REVISE_KEYS,
                         partial_option: str = '--allow-partial-load'
                         ) -> Optional[str]:
    """Raise (``strict``) or warn when a checkpoint does not fit a model.

    Args:
        model (nn.Module): The model (not wrapped).
        checkpoint (dict): The loaded checkpoint.
        path (str): Its file, for the message.
        model_cfg (dict, optional): The model's config (type and task are
            named).
        config (str, optional): The model's config file.
        strict (bool): Raise on a mismatch. Defaults to True.
        warn (Callable[[str], None], optional): Receives the message when
            not strict.
        revise_keys (Sequence[tuple]): See :func:`checkpoint_mismatch`.
        partial_option (str): The option that allows a partial load, named
            in the error.

    Returns:
        str | None: The message on a mismatch (not strict), else None.

    Raises:
        CheckpointMismatchError: ``strict`` and the weights do not fit.
    """
    message = describe_mismatch(
        checkpoint_mismatch(model, checkpoint, revise_keys), path,
        checkpoint, model_cfg, config)
    if message is None:
        return None
    if strict:
        raise CheckpointMismatchError(
            f'{message}. Use the config the checkpoint was trained with, '
            f'or pass {partial_option} to load what fits (the rest keeps '
            'its initial values)')
    message += ('; loaded what fits, the rest keeps its initial values')
    if warn is not None:
        warn(message)
    return message
