"""Pair-wise decoders: the instance decoder and the cascaded relation
decoder.

Both are stacks of mmdet's :class:`DetrTransformerDecoderLayer` (self
attention among the pair queries, cross attention to the encoder memory,
FFN). A pair query carries two boxes (subject and object); its positional
query is an MLP of the sine embeddings of both boxes (DAB-DETR with pair
anchors), recomputed at every layer from the current anchors.
"""
from typing import Optional, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmdet.models.layers import DetrTransformerDecoderLayer
from mmdet.models.layers.transformer.utils import MLP
from mmengine.model import BaseModule, ModuleList
from torch import Tensor

from .pair_boxes import pair_sine_embedding, refine_pair_boxes

__all__ = [
    'PairInstanceDecoder', 'PairRelationDecoder', 'pair_self_attn_mask',
    'token_coords', 'pair_box_prior'
]


def pair_self_attn_mask(query_mask: Optional[Tensor],
                        num_heads: int) -> Optional[Tensor]:
    """Self-attention mask that hides padded queries.

    Every query may always attend to itself, so no row is fully masked
    (a frame with no valid query does not produce NaNs).

    Args:
        query_mask (Tensor, optional): (B, Q) bool, True at padded queries.
        num_heads (int): Attention heads.

    Returns:
        Tensor | None: (B * num_heads, Q, Q) bool, True = not allowed.
    """
    if query_mask is None:
        return None
    batch_size, num_queries = query_mask.shape
    mask = query_mask[:, None, :].expand(-1, num_queries, -1).clone()
    eye = torch.eye(num_queries, dtype=torch.bool, device=mask.device)
    mask[:, eye] = False
    return mask.repeat_interleave(num_heads, dim=0)


def token_coords(memory_mask: Tensor, spatial_shapes: Tensor) -> Tensor:
    """Centres of the memory tokens in image-normalised coordinates.

    Args:
        memory_mask (Tensor): (B, L) bool, True at padding.
        spatial_shapes (Tensor): (num_levels, 2) (h, w) of each level.

    Returns:
        Tensor: (B, L, 2) (x, y); 1 is the right / bottom edge of the
        frame's unpadded image (the anchors' unit).
    """
    batch_size = memory_mask.size(0)
    coords, start = [], 0
    for h, w in spatial_shapes.tolist():
        mask = memory_mask[:, start:start + h * w].view(batch_size, h, w)
        valid_h = (~mask[:, :, 0]).sum(1).clamp(min=1) / h
        valid_w = (~mask[:, 0, :]).sum(1).clamp(min=1) / w
        ys = (torch.arange(h, device=mask.device) + 0.5) / h
        xs = (torch.arange(w, device=mask.device) + 0.5) / w
        grid_y, grid_x = torch.meshgrid(ys, xs, indexing='ij')
        coords.append(
            torch.stack([
                grid_x.flatten()[None] / valid_w[:, None],
                grid_y.flatten()[None] / valid_h[:, None]
            ], -1))
        start += h * w
    return torch.cat(coords, 1)


def pair_box_prior(coords: Tensor, anchors: Tensor, num_heads: int,
                   scale: float) -> Tensor:
    """Gaussian cross-attention prior around the pair's boxes (SMCA-like).

    The first half of the heads is biased towards the subject box, the
    second half towards the object box: ``-scale * ((dx / w)^2 + (dy /
    h)^2)`` with ``(dx, dy)`` the token's offset from the box centre.

    Args:
        coords (Tensor): (B, L, 2) token centres (:func:`token_coords`).
        anchors (Tensor): (B, Q, 8) normalised sub/obj cxcywh.
        num_heads (int): Attention heads (even).
        scale (float): Prior strength.

    Returns:
        Tensor: (B * num_heads, Q, L) additive attention bias.
    """
    biases = []
    for box in (anchors[..., :4], anchors[..., 4:]):
        size = box[..., 2:].clamp(min=0.02)
        offset = (coords[:, None] - box[..., None, :2]) / size[..., None, :]
        biases.append(-scale * offset.pow(2).sum(-1))
    half = num_heads // 2
    bias = torch.stack([biases[0]] * half + [biases[1]] * (num_heads - half),
                       1)
    return bias.flatten(0, 1)


class _PairDecoder(BaseModule):
    """Shared body: layers, final norm and the pair positional query.

    Args:
        num_layers (int): Number of decoder layers.
        layer_cfg (dict): Config of :class:`DetrTransformerDecoderLayer`
            (``self_attn_cfg`` / ``cross_attn_cfg`` with
            ``batch_first=True``, ``ffn_cfg``).
        post_norm_cfg (dict): Norm applied to every layer's output.
        box_prior_scale (float): Strength of the Gaussian cross-attention
            prior around the subject (half the heads) and object box (other
            half), see :func:`pair_box_prior`; 0 disables it. Needs
            ``spatial_shapes`` in ``forward``. Defaults to 0.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 num_layers: int,
                 layer_cfg: dict,
                 post_norm_cfg: dict = dict(type='LN'),
                 box_prior_scale: float = 0.,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if box_prior_scale < 0:
            raise ValueError(f'{self.__class__.__name__}: box_prior_scale '
                             f'must be >= 0, got {box_prior_scale}')
        self.box_prior_scale = box_prior_scale
        if num_layers < 1:
            raise ValueError(f'{self.__class__.__name__}: num_layers must be '
                             f'>= 1, got {num_layers}')
        self.num_layers = num_layers
        self.layers = ModuleList(
            [DetrTransformerDecoderLayer(**layer_cfg)
             for _ in range(num_layers)])
        self.embed_dims = self.layers[0].embed_dims
        self.num_heads = self.layers[0].self_attn.num_heads
        self.post_norm = build_norm_layer(post_norm_cfg, self.embed_dims)[1]
        # sine(sub 4) + sine(obj 4): 8 * (C / 2) = 4C -> C
        self.pos_head = MLP(4 * self.embed_dims, self.embed_dims,
                            self.embed_dims, 2)

    def pair_pos(self, anchors: Tensor) -> Tensor:
        """Positional query of pair anchors.

        Args:
            anchors (Tensor): (B, Q, 8) normalised sub/obj cxcywh in [0, 1].

        Returns:
            Tensor: (B, Q, C).
        """
        return self.pos_head(pair_sine_embedding(anchors, self.embed_dims))

    def _coords(self, memory_mask: Tensor,
                spatial_shapes: Optional[Tensor]) -> Optional[Tensor]:
        """Token centres when the box prior is on, else None."""
        if self.box_prior_scale == 0:
            return None
        if spatial_shapes is None:
            raise ValueError(f'{self.__class__.__name__}: box_prior_scale > '
                             '0 needs spatial_shapes')
        return token_coords(memory_mask, spatial_shapes)

    def _layer(self, idx: int, query: Tensor, anchors: Tensor,
               memory: Tensor, memory_pos: Tensor, memory_mask: Tensor,
               self_attn_mask: Optional[Tensor],
               coords: Optional[Tensor] = None) -> Tensor:
        """Run layer ``idx`` with its positional query (and box prior)."""
        cross_attn_mask = None
        if coords is not None:
            cross_attn_mask = pair_box_prior(coords, anchors, self.num_heads,
                                             self.box_prior_scale)
        query = self.layers[idx](
            query,
            key=memory,
            value=memory,
            query_pos=self.pair_pos(anchors),
            key_pos=memory_pos,
            self_attn_mask=self_attn_mask,
            cross_attn_mask=cross_attn_mask,
            key_padding_mask=memory_mask)
        return query


class PairInstanceDecoder(_PairDecoder):
    """Pair-wise instance decoder with iterative pair-box refinement.

    Each layer refines the subject and object anchors with the given
    regression branches (:func:`refine_pair_boxes`, detached before the
    next layer). Without
    branches (PredCls/SGCls: anchors are GT boxes) the anchors stay fixed.
    """

    def forward(self,
                query: Tensor,
                memory: Tensor,
                memory_pos: Tensor,
                memory_mask: Tensor,
                anchors: Tensor,
                query_mask: Optional[Tensor] = None,
                sub_reg_branches: Optional[nn.ModuleList] = None,
                obj_reg_branches: Optional[nn.ModuleList] = None,
                spatial_shapes: Optional[Tensor] = None
                ) -> Tuple[Tensor, Tensor]:
        """Decode the pair queries.

        Args:
            query (Tensor): (B, Q, C) content queries.
            memory (Tensor): (B, L, C) encoder output.
            memory_pos (Tensor): (B, L, C).
            memory_mask (Tensor): (B, L) bool, True at padding.
            anchors (Tensor): (B, Q, 8) initial anchors in [0, 1].
            query_mask (Tensor, optional): (B, Q) bool, True at padding.
            sub_reg_branches, obj_reg_branches (ModuleList, optional):
                One box-delta branch per layer (C -> 4), owned by the head.
            spatial_shapes (Tensor, optional): (num_levels, 2), needed by
                the box prior.

        Returns:
            tuple[Tensor, Tensor]: hidden states (num_layers, B, Q, C)
            (post-normed) and references (num_layers + 1, B, Q, 8):
            ``references[i]`` is the (detached) anchor input of layer ``i``
            and ``references[-1]`` the final refined anchors.
        """
        refine = sub_reg_branches is not None
        if refine != (obj_reg_branches is not None):
            raise ValueError('PairInstanceDecoder: pass both or neither of '
                             'sub_reg_branches / obj_reg_branches')
        self_attn_mask = pair_self_attn_mask(query_mask, self.num_heads)
        # the initial anchors keep their gradient (learnable anchors learn
        # through the first layer's box prediction); refined ones are
        # detached
        coords = self._coords(memory_mask, spatial_shapes)
        hidden, references = [], [anchors]
        for idx in range(self.num_layers):
            query = self._layer(idx, query, anchors, memory, memory_pos,
                                memory_mask, self_attn_mask, coords)
            out = self.post_norm(query)
            hidden.append(out)
            if refine:
                anchors = refine_pair_boxes(anchors,
                                            sub_reg_branches[idx](out),
                                            obj_reg_branches[idx](out))
                anchors = anchors.detach()
            references.append(anchors)
        return torch.stack(hidden), torch.stack(references)


class PairRelationDecoder(_PairDecoder):
    """Cascaded pair-wise relation decoder.

    Its queries start from the instance decoder's last hidden state and its
    positional queries come from the instance decoder's final (detached)
    pair boxes; it keeps the boxes fixed and returns per-layer features for
    the predicate classifiers.
    """

    def forward(self,
                query: Tensor,
                memory: Tensor,
                memory_pos: Tensor,
                memory_mask: Tensor,
                anchors: Tensor,
                query_mask: Optional[Tensor] = None,
                spatial_shapes: Optional[Tensor] = None) -> Tensor:
        """Decode relation features.

        Args:
            query (Tensor): (B, Q, C) instance decoder's last hidden state.
            memory, memory_pos, memory_mask: As in
                :class:`PairInstanceDecoder`.
            anchors (Tensor): (B, Q, 8) final pair boxes in [0, 1].
            query_mask (Tensor, optional): (B, Q) bool, True at padding.
            spatial_shapes (Tensor, optional): (num_levels, 2), needed by
                the box prior.

        Returns:
            Tensor: (num_layers, B, Q, C) post-normed hidden states.
        """
        self_attn_mask = pair_self_attn_mask(query_mask, self.num_heads)
        anchors = anchors.detach()
        coords = self._coords(memory_mask, spatial_shapes)
        hidden = []
        for idx in range(self.num_layers):
            query = self._layer(idx, query, anchors, memory, memory_pos,
                                memory_mask, self_attn_mask, coords)
            hidden.append(self.post_norm(query))
        return torch.stack(hidden)
