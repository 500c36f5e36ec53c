"""A tiny dataset, model and hook for testing the launch machinery.

They let tests exercise ``tools/train.py`` and ``tools/dist_train.sh`` (the
runner, the launcher, DDP on gloo, checkpointing and resuming) in seconds,
independently of the scene-graph model. Registered under the ``vost``
scope; configs load them with
``custom_imports=dict(imports=['vost.testing.toy_modules'])``.
"""
import json
import os.path as osp

import numpy as np
import torch
from mmengine.dist import get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from torch.utils.data import Dataset

from vost.registry import DATASETS, HOOKS, MODELS

__all__ = ['ToyRegressionDataset', 'ToyRegressor', 'RankRecorderHook']


@DATASETS.register_module()
class ToyRegressionDataset(Dataset):
    """Deterministic linear-regression samples ``y = x @ w + 1``.

    Args:
        num_samples (int): Dataset length. Defaults to 32.
        dim (int): Input dimension. Defaults to 4.
        noise (float): Standard deviation of Gaussian noise added to the
            target on every read with numpy's global generator (a stand-in
            for random augmentation). Defaults to 0.
    """

    def __init__(self,
                 num_samples: int = 32,
                 dim: int = 4,
                 noise: float = 0.0) -> None:
        self.noise = noise
        gen = torch.Generator().manual_seed(0)
        self.x = torch.randn(num_samples, dim, generator=gen)
        weight = torch.arange(1, dim + 1, dtype=torch.float32)
        self.y = self.x @ weight + 1.0
        self.metainfo = dict(name='toy')

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, idx: int) -> dict:
        target = self.y[idx]
        if self.noise:
            target = target + float(np.random.randn()) * self.noise
        return dict(inputs=self.x[idx], target=target, index=idx)


@MODELS.register_module()
class ToyRegressor(BaseModel):
    """A linear model with a squared-error loss.

    Args:
        dim (int): Input dimension. Defaults to 4.
        dropout (float): Dropout on the inputs in training (draws from
            torch's global generator). Defaults to 0.
    """

    def __init__(self, dim: int = 4, dropout: float = 0.0) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(dim, 1)
        self.dropout = torch.nn.Dropout(dropout)

    def forward(self, inputs, target=None, index=None, mode='tensor'):
        """Run the model.

        Args:
            inputs (Tensor): (B, dim) inputs.
            target (Tensor, optional): (B,) regression targets.
            index (Tensor, optional): (B,) sample indices (unused).
            mode (str): ``'loss'``, ``'predict'`` or ``'tensor'``.

        Returns:
            dict | list | Tensor: Losses, per-sample predictions or (B,)
            outputs.
        """
        if isinstance(inputs, (list, tuple)):
            inputs = torch.stack(inputs)
        out = self.linear(self.dropout(inputs)).squeeze(-1)
        if mode == 'loss':
            if isinstance(target, (list, tuple)):
                target = torch.stack(target)
            return dict(loss=((out - target)**2).mean())
        if mode == 'predict':
            return [dict(pred=o) for o in out]
        return out


@HOOKS.register_module()
class RankRecorderHook(Hook):
    """Write, per rank, the training iterations this process ran.

    The file is ``{work_dir}/rank{rank}_of{world_size}.json`` with the list
    of global iteration indices, so tests can check every rank took part.
    """

    def __init__(self) -> None:
        self.iters = []

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        """Record the iteration and rewrite the rank's file."""
        self.iters.append(runner.iter)
        path = osp.join(runner.work_dir,
                        f'rank{get_rank()}_of{get_world_size()}.json')
        with open(path, 'w') as f:
            json.dump(self.iters, f)
