"""Freeze parts of a model for staged training, and prove they stay frozen.
"""
import logging
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from torch import Tensor, nn

from vost.registry import HOOKS

__all__ = ['FreezeModulesHook']


def _under(name: str, prefix: str) -> bool:
    """True if ``name`` is module/parameter ``prefix`` or inside it."""
    return prefix == '' or name == prefix or name.startswith(prefix + '.')


@HOOKS.register_module()
class FreezeModulesHook(Hook):
    """Freeze modules before training and check that they do not change.

    Used by the temporal stage-2 configs: the spatial model (stage 1) is
    frozen and only the temporal stage (``temporal``) trains.

    - ``before_train`` (after ``load_from`` is loaded): sets
      ``requires_grad=False`` on the frozen parameters (the optimizer, built
      earlier, skips parameters without gradients, weight decay included)
      and snapshots the frozen parameters and buffers.
    - ``before_train_iter``: puts the frozen modules in eval mode (the
      training loop calls ``model.train()`` every epoch), so batch norms
      keep their running statistics and dropout is off.
    - ``after_train_iter``: after ``check_after_iters`` iterations compares
      the frozen tensors with the snapshot bit for bit and raises a
      ``RuntimeError`` naming the changed ones; then frees the snapshot.

    Names are module paths of the unwrapped model (``'backbone'``,
    ``'bbox_head.cls_branches'``, ...). A module is frozen when it is under
    a ``frozen`` name (every module when ``frozen`` is None) and not under a
    ``trainable`` name.

    Under DDP, freezing after the wrapper is built needs
    ``find_unused_parameters=True`` (``tools/train.py`` sets it on CPU);
    the hook raises otherwise.

    Args:
        trainable (Sequence[str]): Modules that keep training. Defaults to
            ``('temporal', )`` (the :class:`TemporalStage`).
        frozen (Sequence[str], optional): Modules to freeze; None: all
            but ``trainable``.
        eval_frozen (bool): Keep frozen modules in eval mode. Defaults to
            True.
        check_after_iters (int): Iterations before the check; 0 disables
            it. Defaults to 2.
        require_load_from (bool): Warn when the runner loads no checkpoint
            (a frozen randomly initialised model is rarely intended).
            Defaults to True.
    """

    priority = 'VERY_HIGH'

    def __init__(self,
                 trainable: Sequence[str] = ('temporal', ),
                 frozen: Optional[Sequence[str]] = None,
                 eval_frozen: bool = True,
                 check_after_iters: int = 2,
                 require_load_from: bool = True) -> None:
        if isinstance(trainable, str) or (isinstance(frozen, str)):
            raise TypeError('FreezeModulesHook: trainable and frozen are '
                            'lists of module names, not strings')
        if check_after_iters < 0:
            raise ValueError('FreezeModulesHook: check_after_iters must be '
                             f'>= 0, got {check_after_iters}')
        self.trainable = list(trainable)
        self.frozen = None if frozen is None else list(frozen)
        self.eval_frozen = eval_frozen
        self.check_after_iters = check_after_iters
        self.require_load_from = require_load_from
        self._snapshot: Optional[Dict[str, Tensor]] = None
        self._eval_modules: List[nn.Module] = []
        self._iters_done = 0

    # ------------------------------------------------------------------
    # selection
    # ------------------------------------------------------------------
    def is_frozen(self, name: str) -> bool:
        """Whether module or parameter ``name`` is frozen."""
        if any(_under(name, t) for t in self.trainable):
            return False
        return self.frozen is None or any(_under(name, f)
                                          for f in self.frozen)

    def _contains_trainable(self, name: str) -> bool:
        """Whether module ``name`` holds a trainable module."""
        return any(_under(t, name) for t in self.trainable)

    def _check_names(self, model: nn.Module) -> None:
        """Raise if a configured module name is not in ``model``."""
        modules = dict(model.named_modules())
        for kind, names in (('trainable', self.trainable),
                            ('frozen', self.frozen or [])):
            for name in names:
                if name not in modules:
                    top = sorted(n for n in modules if n and '.' not in n)
                    raise KeyError(
                        f'FreezeModulesHook: {kind} module {name!r} is not '
                        f'in {type(model).__name__}; its top-level modules '
                        f'are {top}')

    def freeze(self, model: nn.Module) -> Dict[str, int]:
        """Freeze ``model`` in place and snapshot the frozen tensors.

        Args:
            model (nn.Module): The unwrapped model.

        Returns:
            dict[str, int]: ``frozen`` and ``trainable`` parameter counts.
        """
        self._check_names(model)
        counts = dict(frozen=0, trainable=0)
        snapshot = {}
        for name, param in model.named_parameters():
            if self.is_frozen(name):
                param.requires_grad_(False)
                counts['frozen'] += param.numel()
                snapshot[name] = param.detach().clone()
            elif param.requires_grad:
                counts['trainable'] += param.numel()
        for name, buf in model.named_buffers():
            if self.is_frozen(name):
                snapshot[name] = buf.detach().clone()
        self._snapshot = snapshot if self.check_after_iters > 0 else None
        # the largest frozen modules that hold no trainable module
        self._eval_modules, picked = [], []
        for name, module in model.named_modules():
            if any(_under(name, p) for p in picked):
                continue
            if self.is_frozen(name) and not self._contains_trainable(name):
                picked.append(name)
                self._eval_modules.append(module)
        self._iters_done = 0
        return counts

    def changed_tensors(self, model: nn.Module) -> List[str]:
        """Names of frozen tensors that differ from the snapshot."""
        if self._snapshot is None:
            return []
        current = dict(model.named_parameters())
        current.update(dict(model.named_buffers()))
        return [
            name for name, old in self._snapshot.items()
            if not torch.equal(current[name].detach(), old)
        ]

    # ------------------------------------------------------------------
    # hook points
    # ------------------------------------------------------------------
    @staticmethod
    def _unwrap(runner) -> nn.Module:
        """The runner's model without its DDP wrapper."""
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def before_train(self, runner) -> None:
        """Freeze after the checkpoint is loaded."""
        if is_model_wrapper(runner.model) and hasattr(
                runner.model, 'find_unused_parameters') and \
                not runner.model.find_unused_parameters:
            raise RuntimeError(
                'FreezeModulesHook: the model is wrapped in DDP without '
                'find_unused_parameters=True; set model_wrapper_cfg='
                "dict(type='MMDistributedDataParallel', "
                'find_unused_parameters=True)')
        if self.require_load_from and not getattr(runner, '_load_from',
                                                  None):
            print_log(
                'FreezeModulesHook: no load_from checkpoint: the frozen '
                'modules keep their initial (random) weights. Pass '
                '--cfg-options load_from=<stage-1 checkpoint>.',
                logger='current',
                level=logging.WARNING)
        counts = self.freeze(self._unwrap(runner))
        print_log(
            f"FreezeModulesHook: {counts['frozen']} parameters frozen, "
            f"{counts['trainable']} trainable ({self.trainable})",
            logger='current')

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        """Keep the frozen modules in eval mode."""
        if self.eval_frozen:
            for module in self._eval_modules:
                module.eval()

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        """Check, once, that the frozen tensors did not change."""
        if self._snapshot is None:
            return
        self._iters_done += 1
        if self._iters_done < self.check_after_iters:
            return
        changed = self.changed_tensors(self._unwrap(runner))
        num = len(self._snapshot)
        self._snapshot = None
        if changed:
            raise RuntimeError(
                f'FreezeModulesHook: {len(changed)} frozen tensors changed '
                f'during the first {self._iters_done} iterations, e.g. '
                f'{changed[:5]}')
        print_log(
            f'FreezeModulesHook: all {num} frozen tensors unchanged after '
            f'{self._iters_done} iterations',
            logger='current')
