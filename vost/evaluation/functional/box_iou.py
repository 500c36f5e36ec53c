"""Element-wise (aligned) IoU of two box arrays, legacy or continuous."""
import numpy as np

__all__ = ['IOU_TYPES', 'aligned_box_iou']

#: Supported IoU definitions: ``'legacy'`` adds one pixel to every width and
#: height (Fast R-CNN's ``bbox_overlaps``, used by the published Action
#: Genome numbers); ``'continuous'`` uses plain ``x2 - x1``.
IOU_TYPES = ('legacy', 'continuous')


def aligned_box_iou(boxes1: np.ndarray,
                    boxes2: np.ndarray,
                    iou_type: str = 'legacy') -> np.ndarray:
    """IoU of ``boxes1[i]`` with ``boxes2[i]`` for every row ``i``.

    With ``iou_type='legacy'`` a box ``(x1, y1, x2, y2)`` covers
    ``(x2 - x1 + 1) * (y2 - y1 + 1)`` pixels and the intersection width is
    ``min(x2) - max(x1) + 1`` (no overlap when it is <= 0), exactly as the
    Cython ``bbox_overlaps`` of the STTran/OED evaluators. With
    ``'continuous'`` the ``+ 1`` terms are dropped and a zero union gives IoU
    0. Computed in float64.

    Args:
        boxes1 (np.ndarray): (N, 4) XYXY boxes.
        boxes2 (np.ndarray): (N, 4) XYXY boxes.
        iou_type (str): ``'legacy'`` or ``'continuous'``.

    Returns:
        np.ndarray: (N,) float64 IoU values in [0, 1].
    """
    if iou_type not in IOU_TYPES:
        raise ValueError(f'iou_type must be one of {IOU_TYPES}, got '
                         f'{iou_type!r}')
    boxes1 = np.asarray(boxes1, dtype=np.float64).reshape(-1, 4)
    boxes2 = np.asarray(boxes2, dtype=np.float64).reshape(-1, 4)
    if boxes1.shape != boxes2.shape:
        raise ValueError('aligned_box_iou needs two (N, 4) arrays of the same '
                         f'N, got {boxes1.shape} and {boxes2.shape}')
    extra = 1.0 if iou_type == 'legacy' else 0.0
    iw = (np.minimum(boxes1[:, 2], boxes2[:, 2]) -
          np.maximum(boxes1[:, 0], boxes2[:, 0]) + extra)
    ih = (np.minimum(boxes1[:, 3], boxes2[:, 3]) -
          np.maximum(boxes1[:, 1], boxes2[:, 1]) + extra)
    inter = np.clip(iw, 0, None) * np.clip(ih, 0, None)
    area1 = ((boxes1[:, 2] - boxes1[:, 0] + extra) *
             (boxes1[:, 3] - boxes1[:, 1] + extra))
    area2 = ((boxes2[:, 2] - boxes2[:, 0] + extra) *
             (boxes2[:, 3] - boxes2[:, 1] + extra))
    union = area1 + area2 - inter
    iou = np.zeros(len(boxes1), dtype=np.float64)
    valid = (inter > 0) & (union > 0)
    iou[valid] = inter[valid] / union[valid]
    return iou
