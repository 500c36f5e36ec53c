"""The two formulas of pair boxes that every decoder and head shares: box
refinement and the sine embedding of a pair's two boxes."""
import torch
from mmdet.models.layers.transformer.utils import (coordinate_to_encoding,
                                                   inverse_sigmoid)
from torch import Tensor

__all__ = ['refine_pair_boxes', 'pair_sine_embedding']


def refine_pair_boxes(anchors: Tensor, sub_delta: Tensor,
                      obj_delta: Tensor) -> Tensor:
    """Refine pair boxes by predicted deltas (Deformable-DETR style):
    ``sigmoid(delta + inverse_sigmoid(anchor))`` for both boxes.

    Args:
        anchors (Tensor): (..., 8) subject then object box, normalised
            cxcywh in [0, 1].
        sub_delta (Tensor): (..., 4) subject box deltas (logit space).
        obj_delta (Tensor): (..., 4) object box deltas.

    Returns:
        Tensor: (..., 8) the refined boxes in [0, 1] (not detached).
    """
    delta = torch.cat([sub_delta, obj_delta], -1)
    return (delta + inverse_sigmoid(anchors)).sigmoid()


def pair_sine_embedding(anchors: Tensor, embed_dims: int) -> Tensor:
    """Sine embedding of a pair's two boxes, the input of a decoder's
    positional-query MLP (DAB-DETR with pair anchors).

    Args:
        anchors (Tensor): (..., 8) normalised subject / object cxcywh.
        embed_dims (int): Decoder width C (each coordinate gets C / 2
            features).

    Returns:
        Tensor: (..., 4C) the subject box's 2C features, then the
        object box's.
    """
    half = embed_dims // 2
    return torch.cat([
        coordinate_to_encoding(anchors[..., :4], num_feats=half),
        coordinate_to_encoding(anchors[..., 4:], num_feats=half)
    ], -1)
