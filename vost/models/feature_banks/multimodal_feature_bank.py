"""The multi-modal feature bank feeding the predicate classifiers."""
import math
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from mmcv.cnn.bricks.transformer import FFN, MultiheadAttention
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy, bbox_overlaps
from mmengine.model import BaseModule
from torch import Tensor, nn

from vost.structures.ag_meta import PREDICATE_GROUP_OFFSETS, PREDICATE_GROUPS
from vost.models.vlm.box_pooling import (POOLING_IMPLS, pool_boxes,
                                         union_boxes)
from vost.registry import MODELS

__all__ = ['MultiModalFeatureBank', 'pair_geometry']

#: Width of :func:`pair_geometry`'s encoding.
GEOMETRY_DIMS = 15


def pair_geometry(sub_boxes: Tensor, obj_boxes: Tensor,
                  eps: float = 1e-4) -> Tensor:
    """Encode the geometry of (subject, object) box pairs.

    Per pair: subject box (4), object box (4), object offset relative to
    the subject ``((ocx - scx) / sw, (ocy - scy) / sh, log(ow / sw),
    log(oh / sh))`` (4), subject and object areas (2) and their IoU (1).

    Args:
        sub_boxes (Tensor): (..., 4) normalised cxcywh.
        obj_boxes (Tensor): (..., 4) normalised cxcywh.
        eps (float): Lower bound on widths and heights.

    Returns:
        Tensor: (..., 15).
    """
    s = torch.cat([sub_boxes[..., :2], sub_boxes[..., 2:].clamp(min=eps)], -1)
    o = torch.cat([obj_boxes[..., :2], obj_boxes[..., 2:].clamp(min=eps)], -1)
    offsets = torch.stack([
        (o[..., 0] - s[..., 0]) / s[..., 2],
        (o[..., 1] - s[..., 1]) / s[..., 3],
        torch.log(o[..., 2] / s[..., 2]),
        torch.log(o[..., 3] / s[..., 3]),
    ], -1)
    areas = torch.stack([s[..., 2] * s[..., 3], o[..., 2] * o[..., 3]], -1)
    iou = bbox_overlaps(
        bbox_cxcywh_to_xyxy(s).reshape(-1, 4),
        bbox_cxcywh_to_xyxy(o).reshape(-1, 4),
        is_aligned=True).view(*s.shape[:-1], 1)
    return torch.cat([s, o, offsets, areas, iou], -1)


@MODELS.register_module()
class MultiModalFeatureBank(BaseModule):
    """Fuse visual, textual and spatial cues of each (person, object) pair.

    Cue tokens, each (B, Q, C) with ``C = in_channels``:

    - ``rel``: the relation-decoder feature (always used).
    - ``visual`` (``use_visual_vlm``): VLM patch features RoIAligned over
      the pair's union box, projected to C.
    - ``obj_text`` (``use_textual``): VLM text embeddings of object
      classes weighted by the pair's object class probabilities
      (``obj_cls_probs @ text_obj``), projected to C.
    - ``pred_text`` (``use_textual``): attention of the pair feature over
      the 26 predicate prompt embeddings (a per-pair summary of which
      predicate descriptions match it).
    - ``spatial`` (``use_spatial``): an MLP over :func:`pair_geometry`.

    ``fusion='concat_mlp'`` concatenates the tokens and runs an MLP;
    ``fusion='attention'`` runs one transformer layer (self-attention over
    the cue tokens with learned type embeddings, then an FFN) and keeps the
    ``rel`` token. Either way the result is added to the (projected)
    ``rel`` feature and layer-normalised, so a bank with every cue off is a
    residual MLP.

    With ``text_logit_scale`` set, ``extra_logits`` are
    ``scale * cos(proj(feats), text_pred)`` split per predicate group, to be
    added to the classifiers' logits (a learnable scale when
    ``learnable_text_scale``).

    The cost is one RoIAlign of B*Q boxes on a small grid plus a few
    linear layers, cheap enough for every decoder layer.

    Args:
        in_channels (int): Width of the relation features.
        vlm_channels (int): Width of the VLM embeddings (``embed_dims`` of
            the :class:`~vost.models.vlm.VLMEncoder`).
        out_channels (int, optional): Output width; default in_channels.
        use_visual_vlm (bool): Use the pooled VLM visual cue.
        use_textual (bool): Use the object and predicate text cues.
        use_spatial (bool): Use the box geometry cue.
        fusion (str): ``'concat_mlp'`` or ``'attention'``.
        roi_output_size (int): RoIAlign bins (averaged) per union box.
        box_pooling (str): How the union boxes are pooled from the VLM
            grid: ``'roi_align'`` (default) or ``'matmul'`` (the same
            average as one matrix product, faster on the CPU;
            :func:`~vost.models.vlm.pool_boxes`).
        num_heads (int): Heads of the attention fusion.
        feedforward_channels (int): FFN width of the attention fusion.
        text_logit_scale (float, optional): Initial scale of the
            predicate-text similarity logits; None disables them.
        learnable_text_scale (bool): Learn that scale (in log space).
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int = 256,
                 vlm_channels: int = 512,
                 out_channels: Optional[int] = None,
                 use_visual_vlm: bool = True,
                 use_textual: bool = True,
                 use_spatial: bool = True,
                 fusion: str = 'concat_mlp',
                 roi_output_size: int = 2,
                 box_pooling: str = 'roi_align',
                 num_heads: int = 8,
                 feedforward_channels: int = 1024,
                 text_logit_scale: Optional[float] = None,
                 learnable_text_scale: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if fusion not in ('concat_mlp', 'attention'):
            raise ValueError("fusion must be 'concat_mlp' or 'attention', "
                             f'got {fusion!r}')
        c = in_channels
        self.in_channels = in_channels
        self.vlm_channels = vlm_channels
        self.out_channels = out_channels or in_channels
        self.use_visual_vlm = use_visual_vlm
        self.use_textual = use_textual
        self.use_spatial = use_spatial
        self.fusion = fusion
        self.roi_output_size = roi_output_size
        if box_pooling not in POOLING_IMPLS:
            raise ValueError(f'box_pooling must be one of {POOLING_IMPLS}, '
                             f'got {box_pooling!r}')
        self.box_pooling = box_pooling
        self.cue_names: List[str] = ['rel']
        if use_visual_vlm:
            self.visual_proj = nn.Sequential(
                nn.Linear(vlm_channels, c), nn.LayerNorm(c))
            self.cue_names.append('visual')
        if use_textual:
            self.obj_text_proj = nn.Sequential(
                nn.Linear(vlm_channels, c), nn.LayerNorm(c))
            self.pred_query = nn.Linear(c, c)
            self.pred_key = nn.Linear(vlm_channels, c)
            self.pred_value = nn.Linear(vlm_channels, c)
            self.cue_names += ['obj_text', 'pred_text']
        if use_spatial:
            self.spatial_mlp = nn.Sequential(
                nn.Linear(GEOMETRY_DIMS, c), nn.ReLU(inplace=True),
                nn.Linear(c, c))
            self.cue_names.append('spatial')
        k = len(self.cue_names)
        if fusion == 'concat_mlp':
            self.fuse = nn.Sequential(
                nn.Linear(k * c, c), nn.ReLU(inplace=True),
                nn.Linear(c, self.out_channels))
        else:
            self.type_embed = nn.Embedding(k, c)
            self.attn = MultiheadAttention(c, num_heads, batch_first=True)
            self.attn_norm = nn.LayerNorm(c)
            self.ffn = FFN(c, feedforward_channels)
            self.fuse = nn.Linear(c, self.out_channels)
        self.rel_proj = (
            nn.Identity() if self.out_channels == c else nn.Linear(
                c, self.out_channels))
        self.out_norm = nn.LayerNorm(self.out_channels)
        self.use_text_logits = text_logit_scale is not None
        if self.use_text_logits:
            self.text_logit_proj = nn.Linear(self.out_channels, vlm_channels)
            log_scale = torch.tensor(math.log(text_logit_scale))
            if learnable_text_scale:
                self.text_log_scale = nn.Parameter(log_scale)
            else:
                self.register_buffer('text_log_scale', log_scale)

    @property
    def needs_vlm(self) -> bool:
        """Whether :meth:`forward` needs the VLM features."""
        return (self.use_visual_vlm or self.use_textual
                or self.use_text_logits)

    def _check_vlm(self, vlm_feats: Optional[dict], num_imgs: int) -> None:
        """Raise a clear error when the VLM features do not fit."""
        if vlm_feats is None:
            raise ValueError(
                'MultiModalFeatureBank got vlm_feats=None but uses VLM cues '
                f'(use_visual_vlm={self.use_visual_vlm}, use_textual='
                f'{self.use_textual}, text_logit_scale set='
                f'{self.use_text_logits}): give the detector a vlm_encoder '
                'or switch these cues off')
        dims = vlm_feats['text_pred'].size(-1)
        if dims != self.vlm_channels:
            raise ValueError(
                f'MultiModalFeatureBank.vlm_channels={self.vlm_channels} '
                f'but the VLM embeddings have {dims} channels')
        if self.use_visual_vlm and len(vlm_feats['patch_feats']) != num_imgs:
            raise ValueError(
                f'vlm_feats has patch features of '
                f'{len(vlm_feats["patch_feats"])} frames but the relation '
                f'features are of {num_imgs} frames')

    def forward(self,
                rel_feats: Tensor,
                sub_boxes: Tensor,
                obj_boxes: Tensor,
                obj_cls_probs: Tensor,
                vlm_feats: Optional[Dict[str, Tensor]] = None,
                batch_img_metas: Optional[List[dict]] = None) -> dict:
        """Fuse the cues of every pair.

        Args:
            rel_feats (Tensor): (B, Q, C) relation-decoder features.
            sub_boxes (Tensor): (B, Q, 4) normalised cxcywh subject boxes.
            obj_boxes (Tensor): (B, Q, 4) normalised cxcywh object boxes.
            obj_cls_probs (Tensor): (B, Q, 37) object class probabilities
                (index 0 background, 1..36 Action Genome ids).
            vlm_feats (dict, optional): Output of the VLM encoder for the
                same B frames.
            batch_img_metas (list[dict], optional): Unused; part of the
                interface for banks that need image sizes.

        Returns:
            dict: ``feats`` (B, Q, out_channels) and ``extra_logits``: None
            or a dict with ``attention`` (B, Q, 3), ``spatial`` (B, Q, 6),
            ``contacting`` (B, Q, 17).
        """
        num_imgs = rel_feats.size(0)
        if self.needs_vlm:
            self._check_vlm(vlm_feats, num_imgs)
        tokens = [rel_feats]
        if self.use_visual_vlm:
            pooled = pool_boxes(vlm_feats['patch_feats'],
                                union_boxes(sub_boxes, obj_boxes),
                                self.roi_output_size,
                                impl=self.box_pooling)
            tokens.append(self.visual_proj(pooled))
        if self.use_textual:
            text_obj = vlm_feats['text_obj']
            if obj_cls_probs.size(-1) != text_obj.size(0):
                raise ValueError(
                    f'obj_cls_probs has {obj_cls_probs.size(-1)} classes, '
                    f'text_obj {text_obj.size(0)} (background + 36)')
            tokens.append(self.obj_text_proj(obj_cls_probs @ text_obj))
            text_pred = vlm_feats['text_pred']
            query = self.pred_query(rel_feats)
            key = self.pred_key(text_pred)
            attn = (query @ key.t() / math.sqrt(query.size(-1))).softmax(-1)
            tokens.append(attn @ self.pred_value(text_pred))
        if self.use_spatial:
            tokens.append(
                self.spatial_mlp(pair_geometry(sub_boxes, obj_boxes)))

        if self.fusion == 'concat_mlp':
            fused = self.fuse(torch.cat(tokens, -1))
        else:
            b, q, c = rel_feats.shape
            seq = torch.stack(tokens, 2).view(b * q, len(tokens), c)
            seq = seq + self.type_embed.weight[None]
            seq = self.attn_norm(self.attn(seq, seq, seq))
            fused = self.fuse(self.ffn(seq)[:, 0].view(b, q, c))
        feats = self.out_norm(self.rel_proj(rel_feats) + fused)

        extra_logits = None
        if self.use_text_logits:
            proj = F.normalize(self.text_logit_proj(feats), dim=-1)
            text_pred = vlm_feats['text_pred']
            sims = self.text_log_scale.exp() * proj @ text_pred.t()
            extra_logits = {
                group: sims[..., PREDICATE_GROUP_OFFSETS[group]:
                            PREDICATE_GROUP_OFFSETS[group] + len(names)]
                for group, names in PREDICATE_GROUPS.items()
            }
        return dict(feats=feats, extra_logits=extra_logits)

    def extra_repr(self) -> str:
        """Summary shown by ``print(model)``."""
        return (f'cues={self.cue_names}, fusion={self.fusion!r}, '
                f'text_logits={self.use_text_logits}')
