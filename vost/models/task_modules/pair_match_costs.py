"""Match costs of the pair (triplet) Hungarian assigner.

Every cost follows mmdet's :class:`~mmdet.models.task_modules.BaseMatchCost`
contract: ``cost(pred_instances, gt_instances, img_meta)`` returns a
``(num_preds, num_gts)`` matrix, lower is a better match, already multiplied
by ``weight``. Pair predictions and targets are :class:`InstanceData` with
the fields named in :class:`PairHungarianAssigner`.
"""
from typing import Optional, Union

from mmdet.models.task_modules.assigners.match_cost import BaseMatchCost
from mmengine.structures import InstanceData
from torch import Tensor

from vost.registry import TASK_UTILS
from vost.structures.ag_meta import PREDICATE_GROUP_NAMES as _PREDICATE_GROUPS

__all__ = ['PairBoxCost', 'PredicateCost']

_BOX_FIELDS = {'subject': 'sub_bboxes', 'object': 'obj_bboxes'}


@TASK_UTILS.register_module()
class PairBoxCost(BaseMatchCost):
    """Apply a per-box mmdet cost to the subject or the object box of pairs.

    The wrapped cost (e.g. ``mmdet.BBoxL1Cost`` or ``mmdet.IoUCost``) sees an
    :class:`InstanceData` whose ``bboxes`` are the pairs' subject (or object)
    boxes, XYXY in input-image pixels, so its own normalisation by
    ``img_meta['img_shape']`` applies unchanged.

    Args:
        box_cost (dict): Config of the wrapped cost, built from TASK_UTILS
            (its ``weight`` is the weight of this cost).
        box (str): ``'subject'`` or ``'object'``.
    """

    def __init__(self, box_cost: dict, box: str = 'object') -> None:
        if box not in _BOX_FIELDS:
            raise ValueError(f'PairBoxCost: box must be one of '
                             f'{sorted(_BOX_FIELDS)}, got {box!r}')
        self.box = box
        self.field = _BOX_FIELDS[box]
        self.box_cost = TASK_UTILS.build(box_cost)
        super().__init__(weight=self.box_cost.weight)

    def __call__(self,
                 pred_instances: InstanceData,
                 gt_instances: InstanceData,
                 img_meta: Optional[dict] = None,
                 **kwargs) -> Tensor:
        """Compute the cost of the chosen box.

        Args:
            pred_instances (InstanceData): Needs ``sub_bboxes`` /
                ``obj_bboxes`` (num_preds, 4) XYXY pixels.
            gt_instances (InstanceData): Same fields, (num_gts, 4).
            img_meta (dict, optional): Needs ``img_shape`` for the L1 cost.

        Returns:
            Tensor: (num_preds, num_gts) weighted cost.
        """
        pred = InstanceData(bboxes=pred_instances.get(self.field))
        gt = InstanceData(bboxes=gt_instances.get(self.field))
        return self.box_cost(pred, gt, img_meta=img_meta)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(box={self.box!r}, ' \
               f'box_cost={self.box_cost.__class__.__name__}, ' \
               f'weight={self.weight})'


@TASK_UTILS.register_module()
class PredicateCost(BaseMatchCost):
    """Cost of one predicate group.

    - ``attention`` (single label): ``-softmax(logits)[:, gt]``.
    - ``spatial`` / ``contacting`` (multi-label, as in CDN/OED): with
      ``p = sigmoid(logits)`` and multi-hot targets ``t``,
      ``-(p @ t.T / |t| + (1 - p) @ (1 - t).T / |1 - t|) / 2``, i.e. minus
      the mean probability of the GT's positive labels and of its negative
      labels.

    Args:
        group (str): ``'attention'``, ``'spatial'`` or ``'contacting'``.
            Reads ``{group}_logits`` from the predictions and ``{group}``
            from the targets.
        weight (float): Cost weight. Defaults to 1.
        eps (float): Guards empty label sets. Defaults to 1e-6.
    """

    def __init__(self,
                 group: str,
                 weight: Union[float, int] = 1.,
                 eps: float = 1e-6) -> None:
        super().__init__(weight=weight)
        if group not in _PREDICATE_GROUPS:
            raise ValueError(f'PredicateCost: group must be one of '
                             f'{_PREDICATE_GROUPS}, got {group!r}')
        self.group = group
        self.eps = eps

    def __call__(self,
                 pred_instances: InstanceData,
                 gt_instances: InstanceData,
                 img_meta: Optional[dict] = None,
                 **kwargs) -> Tensor:
        """Compute the predicate cost.

        Args:
            pred_instances (InstanceData): ``{group}_logits``
                (num_preds, num_labels).
            gt_instances (InstanceData): ``attention`` (num_gts,) long or
                ``spatial`` / ``contacting`` (num_gts, num_labels) multi-hot.
            img_meta (dict, optional): Unused.

        Returns:
            Tensor: (num_preds, num_gts) weighted cost.
        """
        logits = pred_instances.get(f'{self.group}_logits')
        target = gt_instances.get(self.group)
        if self.group == 'attention':
            cost = -logits.softmax(-1)[:, target.long()]
        else:
            prob = logits.sigmoid()
            target = target.to(prob.dtype)
            pos = prob @ target.T / (target.sum(-1)[None] + self.eps)
            neg = (1 - prob) @ (1 - target).T / (
                (1 - target).sum(-1)[None] + self.eps)
            cost = -(pos + neg) / 2
        return cost * self.weight

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(group={self.group!r}, ' \
               f'weight={self.weight})'
