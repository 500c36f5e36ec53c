"""Box crops for a VLM's vision tower, one rule for training and testing.

The tiny-CLIP pretraining (:mod:`vost.pretraining.tiny_clip`) learns from
these crops and :func:`~vost.models.vlm.box_classifier.box_class_probs`
embeds the detector's boxes with the same crops, so the two see the same
pixels.
"""
import math
from typing import Sequence

import torch.nn.functional as F
from torch import Tensor

__all__ = ['CROP_CONTEXT', 'crop_region', 'crop_box']

#: Context added on each side of a box, as a fraction of its width/height.
CROP_CONTEXT = 0.15


def crop_region(frame: Tensor, box: Sequence[float],
                context: float = CROP_CONTEXT) -> Tensor:
    """The pixels of one XYXY box plus context, (3, h, w), at least one
    pixel, inside the frame (a view of ``frame``)."""
    h, w = frame.shape[-2:]
    x1, y1, x2, y2 = (float(v) for v in box)
    dx, dy = context * (x2 - x1), context * (y2 - y1)
    x1 = min(max(0, math.floor(x1 - dx)), w - 1)
    y1 = min(max(0, math.floor(y1 - dy)), h - 1)
    x2 = int(min(w, max(x1 + 1, math.ceil(x2 + dx))))
    y2 = int(min(h, max(y1 + 1, math.ceil(y2 + dy))))
    return frame[:, y1:y2, x1:x2]


def crop_box(frame: Tensor, box: Sequence[float], size: int,
             context: float = CROP_CONTEXT) -> Tensor:
    """Crop one XYXY box (plus context) and stretch it to a square.

    Args:
        frame (Tensor): (3, H, W) float image on the 0..255 scale.
        box (Sequence[float]): ``x1, y1, x2, y2`` in the frame's pixels.
        size (int): Output side S.
        context (float): Context fraction added on each side.

    Returns:
        Tensor: (3, S, S), antialiased bilinear resize of the crop (at
        least one pixel is kept, inside the frame).
    """
    return F.interpolate(
        crop_region(frame, box, context)[None].float(), size=(size, size),
        mode='bilinear', align_corners=False, antialias=True)[0]

