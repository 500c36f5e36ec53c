"""Pool VLM patch grids over boxes given in normalised image coordinates."""
from typing import Tuple, Union

import torch
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy
from torch import Tensor

from vost.models.layers.roi_ops import roi_align

__all__ = ['pool_boxes', 'union_boxes']


def union_boxes(sub_boxes: Tensor, obj_boxes: Tensor) -> Tensor:
    """Smallest box enclosing two boxes.

    Args:
        sub_boxes (Tensor): (..., 4) normalised cxcywh.
        obj_boxes (Tensor): (..., 4) normalised cxcywh.

    Returns:
        Tensor: (..., 4) normalised cxcywh union boxes.
    """
    a = bbox_cxcywh_to_xyxy(sub_boxes)
    b = bbox_cxcywh_to_xyxy(obj_boxes)
    x1y1 = torch.minimum(a[..., :2], b[..., :2])
    x2y2 = torch.maximum(a[..., 2:], b[..., 2:])
    return torch.cat([(x1y1 + x2y2) / 2, x2y2 - x1y1], dim=-1)


def pool_boxes(patch_feats: Tensor,
               boxes: Tensor,
               output_size: Union[int, Tuple[int, int]] = 2) -> Tensor:
    """RoIAlign on a patch grid that covers the whole (unpadded) image.

    A box ``(cx, cy, w, h)`` normalised by the image size maps to grid
    coordinates by multiplying x by the grid width and y by the grid height
    (:class:`~vost.models.vlm.VLMEncoder` documents the mapping). The
    RoIAlign bins are averaged into one vector per box. Any device:
    :func:`vost.models.layers.roi_align` takes mmcv's op where it has a
    kernel, else torchvision's or a pure-torch one.

    Args:
        patch_feats (Tensor): (B, C, h, w) per-frame grids.
        boxes (Tensor): (B, Q, 4) normalised cxcywh boxes.
        output_size (int | tuple[int, int]): RoIAlign bins before
            averaging.

    Returns:
        Tensor: (B, Q, C) pooled features.
    """
    if patch_feats.dim() != 4 or boxes.dim() != 3 or boxes.size(-1) != 4:
        raise ValueError('pool_boxes expects patch_feats (B, C, h, w) and '
                         f'boxes (B, Q, 4), got {tuple(patch_feats.shape)} '
                         f'and {tuple(boxes.shape)}')
    if patch_feats.size(0) != boxes.size(0):
        raise ValueError(f'pool_boxes: {patch_feats.size(0)} grids but '
                         f'boxes for {boxes.size(0)} frames')
    num_imgs, num_boxes = boxes.shape[:2]
    h, w = patch_feats.shape[-2:]
    xyxy = bbox_cxcywh_to_xyxy(boxes.detach().float()).clamp(0, 1)
    xyxy = xyxy * xyxy.new_tensor([w, h, w, h])
    inds = torch.arange(
        num_imgs, device=boxes.device, dtype=xyxy.dtype).view(-1, 1, 1)
    rois = torch.cat([inds.expand(-1, num_boxes, 1), xyxy], dim=-1)
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    pooled = roi_align(patch_feats.float().contiguous(), rois.view(-1, 5),
                       output_size, 1.0, 2, True)
    return pooled.mean((-2, -1)).view(num_imgs, num_boxes, -1).to(
        patch_feats.dtype)
