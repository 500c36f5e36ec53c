"""One-to-one Hungarian assignment of pair queries to GT (person, object)
pairs."""
from typing import List, Optional, Union

import torch
from mmdet.models.task_modules.assigners import AssignResult, BaseAssigner
from mmengine.structures import InstanceData
from scipy.optimize import linear_sum_assignment
from torch import Tensor

from vost.registry import TASK_UTILS

__all__ = ['PairHungarianAssigner']


@TASK_UTILS.register_module()
class PairHungarianAssigner(BaseAssigner):
    """Hungarian assigner for pair (triplet) predictions.

    The cost is the sum of registered match costs, each a
    ``(num_preds, num_gts)`` matrix (mmdet's ``HungarianAssigner`` idea with
    pair fields). The assignment is a pure function of its inputs: one call
    per frame, no state, so matching a batch frame by frame equals matching
    each frame alone, and permuting the GT pairs permutes the assignment.

    Fields read by the shipped costs:

    - ``pred_instances``: ``scores`` (Q, 37) object-class logits (index 0 is
      no-object, 1..36 AG ids), ``sub_bboxes`` / ``obj_bboxes`` (Q, 4) XYXY
      input pixels, ``attention_logits`` (Q, 3), ``spatial_logits`` (Q, 6),
      ``contacting_logits`` (Q, 17).
    - ``gt_instances`` (one row per GT pair): ``labels`` (R,) object AG ids,
      ``sub_bboxes`` / ``obj_bboxes`` (R, 4) XYXY input pixels,
      ``attention`` (R,) long, ``spatial`` (R, 6), ``contacting`` (R, 17)
      multi-hot.

    Args:
        match_costs (dict | list[dict]): Configs of the match costs, built
            from TASK_UTILS (``mmdet.`` costs welcome).
    """

    def __init__(self, match_costs: Union[dict, List[dict]]) -> None:
        if isinstance(match_costs, dict):
            match_costs = [match_costs]
        if len(match_costs) == 0:
            raise ValueError('PairHungarianAssigner: match_costs is empty')
        self.match_costs = [TASK_UTILS.build(cost) for cost in match_costs]

    def cost_matrix(self,
                    pred_instances: InstanceData,
                    gt_instances: InstanceData,
                    img_meta: Optional[dict] = None) -> Tensor:
        """Sum the match costs.

        Returns:
            Tensor: (num_preds, num_gts) total cost.
        """
        costs = [
            cost(pred_instances=pred_instances,
                 gt_instances=gt_instances,
                 img_meta=img_meta) for cost in self.match_costs
        ]
        return torch.stack(costs).sum(0)

    def assign(self,
               pred_instances: InstanceData,
               gt_instances: InstanceData,
               img_meta: Optional[dict] = None,
               **kwargs) -> AssignResult:
        """Assign each GT pair to one query; other queries get background.

        Args:
            pred_instances (InstanceData): Pair predictions of one frame.
            gt_instances (InstanceData): GT pairs of the frame.
            img_meta (dict, optional): Frame meta (``img_shape``).

        Returns:
            :obj:`AssignResult`: ``gt_inds`` (Q,) with 0 = unassigned and
            ``i + 1`` = GT pair ``i``; ``labels`` (Q,) the object AG id of the
            assigned pair or -1.
        """
        num_gts = len(gt_instances)
        num_preds = len(pred_instances)
        device = pred_instances.sub_bboxes.device
        gt_inds = torch.zeros(num_preds, dtype=torch.long, device=device)
        labels = torch.full((num_preds, ), -1, dtype=torch.long,
                            device=device)
        if num_gts == 0 or num_preds == 0:
            return AssignResult(
                num_gts=num_gts, gt_inds=gt_inds, max_overlaps=None,
                labels=labels)
        cost = self.cost_matrix(pred_instances, gt_instances, img_meta)
        cost = cost.detach().float().cpu()
        if not torch.isfinite(cost).all():
            raise ValueError(
                'PairHungarianAssigner: the cost matrix has NaN/inf entries '
                '(diverged predictions or degenerate boxes)')
        row, col = linear_sum_assignment(cost.numpy())
        row = torch.from_numpy(row).to(device)
        col = torch.from_numpy(col).to(device)
        gt_inds[row] = col + 1
        labels[row] = gt_instances.labels[col].long()
        return AssignResult(
            num_gts=num_gts, gt_inds=gt_inds, max_overlaps=None,
            labels=labels)

    def __repr__(self) -> str:
        costs = ', '.join(repr(c) for c in self.match_costs)
        return f'{self.__class__.__name__}(match_costs=[{costs}])'
