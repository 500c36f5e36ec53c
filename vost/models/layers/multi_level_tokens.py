"""Multi-level feature maps to one token sequence for the transformer."""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ['multi_level_tokens']


def multi_level_tokens(mlvl_feats: Sequence[Tensor],
                       batch_img_metas: List[dict],
                       positional_encoding: nn.Module,
                       level_embed: Optional[Tensor] = None
                       ) -> Dict[str, Tensor]:
    """Flatten feature levels into tokens with padding masks and positions.

    As mmdet's ``DeformableDETR.pre_transformer``: each level's padding mask
    is the batch's (True outside the frame's ``img_shape`` inside its
    ``batch_input_shape``) resized to the level, its positions are the sine
    embedding of the mask plus, with several levels, the level embedding.

    Args:
        mlvl_feats (Sequence[Tensor]): Levels (B, C, h_l, w_l).
        batch_img_metas (list[dict]): B metas with ``img_shape`` and
            ``batch_input_shape``.
        positional_encoding (nn.Module): mmdet's ``SinePositionalEncoding``.
        level_embed (Tensor, optional): (num_levels, C); None for one level.

    Returns:
        dict[str, Tensor]: ``feat`` tokens (B, L, C), ``feat_mask`` padding
        mask (B, L) bool (True = padding), ``feat_pos`` positions (B, L, C)
        and ``spatial_shapes`` (num_levels, 2) long; ``L = sum(h_l * w_l)``,
        levels in order.
    """
    batch_size = mlvl_feats[0].size(0)
    pad_h, pad_w = batch_img_metas[0]['batch_input_shape']
    masks = mlvl_feats[0].new_ones((batch_size, pad_h, pad_w))
    for i, meta in enumerate(batch_img_metas):
        img_h, img_w = meta['img_shape'][:2]
        masks[i, :img_h, :img_w] = 0
    feats, feat_masks, feat_pos, shapes = [], [], [], []
    for lvl, feat in enumerate(mlvl_feats):
        mask = F.interpolate(
            masks[None], size=feat.shape[-2:]).to(torch.bool)[0]
        pos = positional_encoding(mask)
        if level_embed is not None:
            pos = pos + level_embed[lvl].view(1, -1, 1, 1)
        shapes.append(feat.shape[-2:])
        feats.append(feat.flatten(2).transpose(1, 2))
        feat_pos.append(pos.flatten(2).transpose(1, 2))
        feat_masks.append(mask.flatten(1))
    return dict(
        feat=torch.cat(feats, 1),
        feat_mask=torch.cat(feat_masks, 1),
        feat_pos=torch.cat(feat_pos, 1),
        spatial_shapes=torch.as_tensor(shapes, dtype=torch.long,
                                       device=feats[0].device))
