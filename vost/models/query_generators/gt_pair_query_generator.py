"""Pair queries built from the ground-truth pairs (PredCls and SGCls)."""
from typing import List, Optional

import torch
import torch.nn as nn
from mmdet.structures.bbox import bbox_xyxy_to_cxcywh
from torch import Tensor

from vost.models.layers.roi_ops import roi_align
from vost.models.stage_outputs import PairQueries
from vost.registry import MODELS
from vost.structures.ag_meta import OBJECT_CLASSES
from vost.structures.gt_pair_view import gt_pair_view

from .base_query_generator import BaseQueryGenerator

__all__ = ['GTPairQueryGenerator']

_TASKS = ('predcls', 'sgcls')


@MODELS.register_module()
class GTPairQueryGenerator(BaseQueryGenerator):
    """One query per GT (person, object) pair, for PredCls and SGCls.

    Used at training and test time by the PredCls/SGCls configs, so the
    decoders never run a detector pass whose output is then thrown away.

    - *Where*: the anchors are the pair's GT subject and object boxes
      (normalised cxcywh); the decoders do not refine them in these modes.
    - *What*: in ``'predcls'`` the content is a learnable embedding of the
      GT object class; in ``'sgcls'`` (labels unknown) it is the encoder
      memory of the finest level RoI-aligned over the object box and over
      the subject box, average-pooled and projected to C.

    Frames are padded to the largest pair count of the batch; ``query_mask``
    marks the padding. Query ``r`` of a frame is GT pair ``r`` of its
    ``gt_pairs``, which the head uses as the (fixed) assignment.

    Args:
        embed_dims (int): Query width C.
        task (str): ``'predcls'`` or ``'sgcls'``; set by the detector from
            its own ``task``. Defaults to ``'predcls'``.
        roi_size (int): RoIAlign output size in ``'sgcls'``. Defaults to 4.
        init_cfg (dict, optional): Initialisation config.
    """

    tasks = _TASKS

    def __init__(self,
                 embed_dims: int,
                 task: str = 'predcls',
                 roi_size: int = 4,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.task = self.check_task(task)
        self.embed_dims = embed_dims
        self.roi_size = roi_size
        if task == 'predcls':
            self.label_embed = nn.Embedding(len(OBJECT_CLASSES), embed_dims)
        else:
            self.roi_proj = nn.Sequential(
                nn.Linear(2 * embed_dims, embed_dims),
                nn.LayerNorm(embed_dims))

    def forward(self,
                memory: Tensor,
                memory_mask: Tensor,
                memory_pos: Tensor,
                spatial_shapes: Tensor,
                batch_data_samples: List,
                vlm_feats: Optional[dict] = None) -> PairQueries:
        """Build one query per GT pair; see :class:`BaseQueryGenerator`.

        Returns:
            PairQueries: ``query`` (B, Q, C), ``anchors`` (B, Q, 8) in
            [0, 1] and ``query_mask`` (B, Q) bool (True = padding), Q =
            max pairs per frame (at least 1).
        """
        batch_size, _, dims = memory.shape
        frames = [
            gt_pair_view(s, 'GTPairQueryGenerator')
            for s in batch_data_samples
        ]
        num_queries = max([1] + [len(f) for f in frames])
        device = memory.device
        anchors = memory.new_full((batch_size, num_queries, 8), 0.5)
        anchors[..., 2:4] = 0.1
        anchors[..., 6:8] = 0.1
        query_mask = torch.ones(
            batch_size, num_queries, dtype=torch.bool, device=device)
        labels = torch.zeros(
            batch_size, num_queries, dtype=torch.long, device=device)
        rois = []
        for i, frame in enumerate(frames):
            sub, obj, lab = frame.sub_bboxes, frame.obj_bboxes, frame.labels
            num = len(lab)
            img_h, img_w = batch_data_samples[i].metainfo['img_shape'][:2]
            scale = sub.new_tensor([img_w, img_h, img_w, img_h])
            anchors[i, :num, :4] = bbox_xyxy_to_cxcywh(sub) / scale
            anchors[i, :num, 4:] = bbox_xyxy_to_cxcywh(obj) / scale
            query_mask[i, :num] = False
            labels[i, :num] = lab.long()
            idx = sub.new_full((num, 1), i)
            rois.append(torch.cat([idx, obj], 1))
            rois.append(torch.cat([idx, sub], 1))
        anchors = anchors.clamp(1e-4, 1 - 1e-4)

        if self.task == 'predcls':
            query = self.label_embed(labels)
        else:
            query = self._roi_content(memory, spatial_shapes,
                                      batch_data_samples, rois,
                                      (batch_size, num_queries, dims),
                                      query_mask)
        return PairQueries(query=query, anchors=anchors,
                           query_mask=query_mask)

    def _roi_content(self, memory: Tensor, spatial_shapes: Tensor,
                     batch_data_samples: List, rois: List[Tensor],
                     out_shape: tuple, query_mask: Tensor) -> Tensor:
        """RoI-align the finest memory level over the pairs' boxes.

        Returns:
            Tensor: (B, Q, C) content queries (zeros at padding).
        """
        batch_size, num_queries, dims = out_shape
        h, w = (int(x) for x in spatial_shapes[0])
        feat = memory[:, :h * w].transpose(1, 2).reshape(
            batch_size, dims, h, w)
        pad_h, pad_w = batch_data_samples[0].metainfo['batch_input_shape']
        query = memory.new_zeros(out_shape)
        # rois alternate object, subject per frame
        obj_rois = torch.cat(rois[0::2], 0)
        sub_rois = torch.cat(rois[1::2], 0)
        if obj_rois.numel() == 0:
            return query
        pooled = [
            roi_align(feat, r, self.roi_size, h / pad_h, 0,
                      True).mean((2, 3)) for r in (obj_rois, sub_rois)
        ]
        content = self.roi_proj(torch.cat(pooled, 1))
        query[~query_mask] = content
        return query
