"""The progressively refined temporal pair decoder (OED's temporal stage).

The key frame's pair queries (instance and relation streams) attend to the
pair queries of the reference frames; every layer keeps only the
top-scoring reference pairs, fewer in deeper layers (OED: 80n, 50n, 30n for
n reference frames).
"""
from typing import Optional, Sequence

import torch
import torch.nn as nn
from mmdet.models.layers import DetrTransformerDecoderLayer
from mmdet.models.layers.transformer.utils import MLP
from mmengine.model import BaseModule, ModuleList
from torch import Tensor

from vost.models.layers import (pair_self_attn_mask, pair_sine_embedding,
                                refine_pair_boxes)
from vost.models.stage_outputs import PairStates, TemporalOutputs
from vost.registry import MODELS

__all__ = ['TemporalPairDecoder', 'select_top_references']


def select_top_references(scores: Tensor, k: int,
                          mask: Optional[Tensor] = None) -> Tensor:
    """Indices of the ``k`` highest-scoring reference pairs per key frame.

    Padded reference pairs (``mask`` True) rank below every valid one.

    Args:
        scores (Tensor): (B, M) reference pair scores.
        k (int): Pairs to keep, clamped to ``M``.
        mask (Tensor, optional): (B, M) bool, True at padded pairs.

    Returns:
        Tensor: (B, min(k, M)) long, best first.
    """
    if scores.dim() != 2:
        raise ValueError('select_top_references: scores must be (B, M), got '
                         f'shape {tuple(scores.shape)}')
    scores = scores.detach().float()
    if mask is not None:
        scores = scores.masked_fill(mask, float('-inf'))
    k = max(1, min(int(k), scores.size(1)))
    return scores.topk(k, dim=1, sorted=True).indices


def _gather(x: Tensor, inds: Tensor) -> Tensor:
    """``x[b, inds[b]]`` for (B, M, ...) ``x`` and (B, k) ``inds``."""
    view = inds.view(*inds.shape, *([1] * (x.dim() - 2)))
    return x.gather(1, view.expand(-1, -1, *x.shape[2:]))


@MODELS.register_module()
class TemporalPairDecoder(BaseModule):
    """Key-frame pair queries attend to the top reference pair queries.

    Two streams, one per spatial decoder: the key frame's instance states
    and its relation states, each refined by its own stack of
    :class:`DetrTransformerDecoderLayer` (self attention among the key
    frame's pairs, cross attention to the reference pairs, FFN). Both
    streams attend to the same memory: the selected reference pairs'
    instance *and* relation states (2k tokens, a learned embedding tells
    the two kinds apart), each with the positional query of its pair boxes.

    Layer ``l`` selects the ``k_per_ref[l] * n`` best reference pairs of the
    ``n * Q`` available (n reference frames, Q queries each; clamped to
    what exists) by their fixed spatial scores, so deeper layers attend to
    fewer, more confident pairs (nested sets).

    With regression branches (SGDet) the key pair boxes are refined layer
    by layer like in :class:`~vost.models.layers.PairInstanceDecoder`;
    without (PredCls/SGCls, GT boxes) they stay fixed.

    Args:
        num_layers (int): Decoder layers. Defaults to 3.
        layer_cfg (dict): :class:`DetrTransformerDecoderLayer` config.
        k_per_ref (Sequence[int]): Reference pairs kept per reference frame
            at each layer; length ``num_layers``. Defaults to (80, 50, 30).
        causal (bool): The detector checks that no reference frame is after
            its key frame (streaming use). Defaults to False.
        zero_init_residual (bool): Zero the output projections of the
            attentions and the last FFN layer so that, at the start of
            stage 2, the temporal stage passes the spatial features through
            (up to the layer norms) and the temporal heads copied from the
            spatial heads start from the spatial results. Defaults to False.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 num_layers: int = 3,
                 layer_cfg: dict = dict(),
                 k_per_ref: Sequence[int] = (80, 50, 30),
                 causal: bool = False,
                 zero_init_residual: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_layers < 1:
            raise ValueError('TemporalPairDecoder: num_layers must be >= 1, '
                             f'got {num_layers}')
        k_per_ref = tuple(int(k) for k in k_per_ref)
        if len(k_per_ref) != num_layers or min(k_per_ref) < 1:
            raise ValueError(
                'TemporalPairDecoder: k_per_ref needs one positive count per '
                f'layer ({num_layers}), got {k_per_ref}')
        self.num_layers = num_layers
        self.k_per_ref = k_per_ref
        self.causal = causal
        self.zero_init_residual = zero_init_residual
        self.inst_layers = ModuleList([
            DetrTransformerDecoderLayer(**layer_cfg)
            for _ in range(num_layers)
        ])
        self.rel_layers = ModuleList([
            DetrTransformerDecoderLayer(**layer_cfg)
            for _ in range(num_layers)
        ])
        self.embed_dims = self.inst_layers[0].embed_dims
        self.num_heads = self.inst_layers[0].self_attn.num_heads
        # sine(sub 4) + sine(obj 4): 8 * (C / 2) = 4C -> C
        self.pos_head = MLP(4 * self.embed_dims, self.embed_dims,
                            self.embed_dims, 2)
        # 0: reference instance states, 1: reference relation states
        self.stream_embed = nn.Embedding(2, self.embed_dims)

    def init_weights(self) -> None:
        """Xavier for the layers; optionally zero residual branches."""
        super().init_weights()
        for layers in (self.inst_layers, self.rel_layers):
            for p in layers.parameters():
                if p.dim() > 1:
                    nn.init.xavier_uniform_(p)
        nn.init.normal_(self.stream_embed.weight, std=0.02)
        if self.zero_init_residual:
            for layer in list(self.inst_layers) + list(self.rel_layers):
                for attn in (layer.self_attn, layer.cross_attn):
                    nn.init.zeros_(attn.attn.out_proj.weight)
                    nn.init.zeros_(attn.attn.out_proj.bias)
                last_fc = [
                    m for m in layer.ffn.layers.modules()
                    if isinstance(m, nn.Linear)
                ][-1]
                nn.init.zeros_(last_fc.weight)
                nn.init.zeros_(last_fc.bias)

    def num_selected(self, layer: int, num_refs: int, num_pairs: int) -> int:
        """Reference pairs attended at ``layer``: ``min(k * n, n * Q)``."""
        return max(1, min(self.k_per_ref[layer] * num_refs, num_pairs))

    def pair_pos(self, anchors: Tensor) -> Tensor:
        """Positional query of pair boxes.

        Args:
            anchors (Tensor): (B, M, 8) normalised sub/obj cxcywh.

        Returns:
            Tensor: (B, M, C).
        """
        return self.pos_head(pair_sine_embedding(anchors, self.embed_dims))

    def forward(self,
                key: PairStates,
                refs: PairStates,
                ref_scores: Tensor,
                num_refs: int,
                sub_reg_branches: Optional[nn.ModuleList] = None,
                obj_reg_branches: Optional[nn.ModuleList] = None
                ) -> TemporalOutputs:
        """Refine the key frames' pair states with their reference frames.

        Args:
            key (PairStates): The B key frames' pairs: ``inst`` / ``rel``
                (B, Q, C) last instance / relation-decoder states,
                ``anchors`` (B, Q, 8) final pair boxes in [0, 1], ``mask``
                (B, Q) or None.
            refs (PairStates): Each key frame's reference pairs, (B, M, ...)
                with M = num_refs * Q' (frames concatenated).
            ref_scores (Tensor): (B, M) their confidence (higher = kept).
            num_refs (int): Reference frames per key frame (n).
            sub_reg_branches, obj_reg_branches (ModuleList, optional): One
                box-delta branch per layer (C -> 4), owned by the temporal
                head; refine the key pair boxes (SGDet).

        Returns:
            TemporalOutputs: ``inst_hidden`` (L, B, Q, C), ``rel_hidden``
            (L, B, Q, C), ``references`` (L + 1, B, Q, 8) (layer ``i``'s
            input boxes, the last the final ones), ``query_mask`` (the key
            mask) and ``selected`` (L (B, k_l) long: the attended
            reference pairs, indices into M).
        """
        batch, num_pairs = ref_scores.shape
        for name in ('inst', 'rel', 'anchors'):
            x = getattr(refs, name)
            if x.shape[:2] != (batch, num_pairs):
                raise ValueError(
                    f'TemporalPairDecoder: refs.{name} has shape '
                    f'{tuple(x.shape)}, expected ({batch}, {num_pairs}, ...) '
                    'like ref_scores')
        refine = sub_reg_branches is not None
        if refine != (obj_reg_branches is not None):
            raise ValueError('TemporalPairDecoder: pass both or neither of '
                             'sub_reg_branches / obj_reg_branches')
        key_mask, ref_mask = key.mask, refs.mask
        ref_inst, ref_rel = refs.inst, refs.rel
        self_attn_mask = pair_self_attn_mask(key_mask, self.num_heads)
        ref_pos = self.pair_pos(refs.anchors.detach())
        anchors = key.anchors.detach()
        inst, rel = key.inst, key.rel
        inst_hidden, rel_hidden, references, selected = [], [], [anchors], []
        for layer in range(self.num_layers):
            k = self.num_selected(layer, num_refs, num_pairs)
            inds = select_top_references(ref_scores, k, ref_mask)
            selected.append(inds)
            memory = torch.cat(
                [_gather(ref_inst, inds),
                 _gather(ref_rel, inds)], 1)
            pos = _gather(ref_pos, inds)
            memory_pos = torch.cat([
                pos + self.stream_embed.weight[0],
                pos + self.stream_embed.weight[1]
            ], 1)
            memory_mask = None
            if ref_mask is not None:
                sel_mask = _gather(ref_mask, inds)
                # a key frame whose selected refs are all padding attends
                # to them anyway rather than producing NaNs
                sel_mask = sel_mask & ~sel_mask.all(1, keepdim=True)
                memory_mask = torch.cat([sel_mask, sel_mask], 1)
            query_pos = self.pair_pos(anchors)
            common = dict(
                key=memory,
                value=memory,
                query_pos=query_pos,
                key_pos=memory_pos,
                self_attn_mask=self_attn_mask,
                key_padding_mask=memory_mask)
            inst = self.inst_layers[layer](inst, **common)
            rel = self.rel_layers[layer](rel, **common)
            inst_hidden.append(inst)
            rel_hidden.append(rel)
            if refine:
                anchors = refine_pair_boxes(anchors,
                                            sub_reg_branches[layer](inst),
                                            obj_reg_branches[layer](inst))
                anchors = anchors.detach()
            references.append(anchors)
        return TemporalOutputs(
            inst_hidden=torch.stack(inst_hidden),
            rel_hidden=torch.stack(rel_hidden),
            references=torch.stack(references),
            query_mask=key_mask,
            selected=selected)

    def extra_repr(self) -> str:
        """Settings shown by ``repr``."""
        return (f'num_layers={self.num_layers}, k_per_ref={self.k_per_ref}, '
                f'causal={self.causal}')
