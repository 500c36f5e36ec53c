"""Measure how often the Hungarian matching changes during training."""
import json
import os.path as osp
from typing import List, Optional

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch import Tensor

from vost.registry import HOOKS
from vost.utils.atomic_io import atomic_write

from .rng_state_hook import get_rng_state, set_rng_state

__all__ = ['MatchingStabilityHook', 'flip_rate']


def flip_rate(prev: List[Tensor], curr: List[Tensor]) -> float:
    """Share of GT pairs matched to another query than at the last check.

    DN-DETR's instability measure (Li et al., CVPR 2022, Sec. 3.2) on a
    fixed probe batch: for each frame, the query index matched to each GT
    pair now versus at the previous check.

    Args:
        prev (list[Tensor]): Per frame, ``(num_queries,)`` assigned GT
            indices (mmdet's ``gt_inds``: 0 = background, ``k`` = GT
            ``k - 1``) at the previous check.
        curr (list[Tensor]): The same at this check.

    Returns:
        float: Changed GT pairs / GT pairs, over all frames (0. without GT).
    """
    changed = total = 0
    for p, c in zip(prev, curr):
        num_gts = int(max(p.max(), c.max(), 0))
        for k in range(1, num_gts + 1):
            qp, qc = (p == k).nonzero(), (c == k).nonzero()
            total += 1
            changed += int(not torch.equal(qp, qc))
    return changed / total if total else 0.


@HOOKS.register_module()
class MatchingStabilityHook(Hook):
    """Log the flip rate of the head's Hungarian matching on a probe batch.

    One of the candidate causes of run-to-run spread in DETR-style training
    is the bipartite matching flipping: a GT pair matched to one query at
    one step and to another a few steps later, so the queries get
    contradictory targets (DN-DETR). Every ``interval`` iterations this
    hook runs the model in eval mode under ``torch.no_grad`` on a fixed
    probe batch (``num_samples`` training samples spread evenly over the
    training set), records the
    query matched to each GT pair by the head's assigner, and logs
    :func:`flip_rate` against the previous check as ``match/flip_rate``.
    At the end of training the curve is written (atomically) to
    ``work_dir/matching_stability.json``: ``[[iter, flip_rate], ...]``.

    The measurement does not change the training: the probe samples are
    drawn once under saved and restored random states, the forward is in
    eval mode (batch norms keep their statistics) and without gradients,
    so a run with the hook gives the same weights as one without
    (tested bit for bit on the CPU). Main process only.

    Args:
        interval (int): Iterations between checks. Defaults to 20.
        num_samples (int): Probe samples. Defaults to 16.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 20, num_samples: int = 16) -> None:
        if interval < 1 or num_samples < 1:
            raise ValueError('MatchingStabilityHook: interval and '
                             'num_samples must be >= 1, got '
                             f'{interval} and {num_samples}')
        self.interval = interval
        self.num_samples = num_samples
        self.probe: Optional[dict] = None
        self.prev: Optional[List[Tensor]] = None
        self.curve: List[list] = []

    @staticmethod
    def _model(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def before_train(self, runner) -> None:
        if not is_main_process():
            return
        loader = runner.train_dataloader
        dataset = loader.dataset
        num = min(self.num_samples, len(dataset))
        inds = [i * len(dataset) // num for i in range(num)]  # spread out
        state = get_rng_state()  # transforms may draw: keep the streams
        try:
            self.probe = loader.collate_fn([dataset[i] for i in inds])
        finally:
            set_rng_state(state)
        self.prev, self.curve = self._assign(runner), []

    @torch.no_grad()
    def _assign(self, runner) -> List[Tensor]:
        """Per probe frame, the head assigner's ``gt_inds``."""
        model = self._model(runner)
        head = model.bbox_head
        if getattr(head, 'assigner', None) is None:
            raise RuntimeError('MatchingStabilityHook: the head has no '
                               'assigner (train_cfg.assigner): nothing to '
                               'measure (GT-pair modes match by position)')
        assign, found = head.assigner.assign, []

        def recording(*args, **kwargs):
            result = assign(*args, **kwargs)
            found.append(result.gt_inds.detach().cpu().clone())
            return result

        was_training = model.training
        state = get_rng_state()
        model.eval()
        head.assigner.assign = recording
        try:
            data = model.data_preprocessor(self.probe, training=False)
            model(**data, mode='loss')
        finally:
            del head.assigner.assign  # back to the class's method
            model.train(was_training)
            set_rng_state(state)
        return found

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if self.probe is None or not self.every_n_train_iters(
                runner, self.interval):
            return
        curr = self._assign(runner)
        rate = flip_rate(self.prev, curr)
        self.prev = curr
        self.curve.append([runner.iter + 1, rate])
        runner.message_hub.update_scalar('train/match/flip_rate', rate)

    def after_train(self, runner) -> None:
        if self.probe is None:
            return
        text = json.dumps(dict(interval=self.interval,
                               num_samples=self.num_samples,
                               curve=self.curve))
        with atomic_write(
                osp.join(runner.work_dir, 'matching_stability.json'),
                'w') as f:
            f.write(text)
