"""Plain learnable pair queries (the "no VLM" row of the ablations)."""
from typing import List, Optional

import torch
import torch.nn as nn
from mmdet.models.layers.transformer.utils import inverse_sigmoid
from torch import Tensor

from vost.models.stage_outputs import PairQueries
from vost.registry import MODELS

from .base_query_generator import BaseQueryGenerator

__all__ = ['LearnablePairQueryGenerator']


@MODELS.register_module()
class LearnablePairQueryGenerator(BaseQueryGenerator):
    """Image-independent learnable content vectors and pair anchors.

    Each of the ``num_queries`` queries owns a learnable content vector and
    a learnable pair anchor (subject and object box), as in DAB-DETR: the
    anchors' centres start uniformly random in [0, 1], their sizes at
    ``init_box_size``. The same queries are used for every frame.

    Args:
        num_queries (int): Number of pair queries Q.
        embed_dims (int): Query width C.
        init_box_size (float): Initial normalised w and h of every anchor.
            Defaults to 0.25.
        task (str): Set by the detector; only ``'sgdet'``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 num_queries: int,
                 embed_dims: int,
                 init_box_size: float = 0.25,
                 task: str = 'sgdet',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.task = self.check_task(task)
        if num_queries < 1:
            raise ValueError('LearnablePairQueryGenerator: num_queries must '
                             f'be >= 1, got {num_queries}')
        self.num_queries = num_queries
        self.embed_dims = embed_dims
        self.init_box_size = init_box_size
        self.query_embed = nn.Embedding(num_queries, embed_dims)
        # subject (cx, cy, w, h) then object (cx, cy, w, h), logit space
        self.anchor_embed = nn.Embedding(num_queries, 8)

    def init_weights(self) -> None:
        """Random anchor centres, fixed anchor sizes, normal contents."""
        super().init_weights()
        nn.init.normal_(self.query_embed.weight)
        with torch.no_grad():
            anchors = torch.rand(self.num_queries, 2, 4)
            anchors[..., 2:] = self.init_box_size
            self.anchor_embed.weight.copy_(
                inverse_sigmoid(anchors.view(self.num_queries, 8)))

    def forward(self,
                memory: Tensor,
                memory_mask: Tensor,
                memory_pos: Tensor,
                spatial_shapes: Tensor,
                batch_data_samples: List,
                vlm_feats: Optional[dict] = None) -> PairQueries:
        """Return the learnable queries for every frame.

        See :class:`BaseQueryGenerator` for the arguments.

        Returns:
            PairQueries: ``query`` (B, Q, C) and ``anchors`` (B, Q, 8) in
            [0, 1].
        """
        batch_size = memory.size(0)
        query = self.query_embed.weight[None].expand(batch_size, -1, -1)
        anchors = self.anchor_embed.weight.sigmoid()[None].expand(
            batch_size, -1, -1)
        return PairQueries(query=query, anchors=anchors)
