"""Zero-shot object classes of detected boxes from the frozen VLM.

The VLM embeds a crop of each box (:func:`~vost.models.vlm.box_crops.crop_box`,
15% context, stretched to the VLM's input) and compares it with the object
prompt embeddings, as CLIP's zero-shot classifier does; open-vocabulary
detectors ensemble such crop scores with the detector's own (ViLD, Gu et
al., ICLR 2022). VOST's head can do the same at test time
(``test_cfg.vlm_class_weight``, :func:`ensemble_class_logits`). This is our
addition, not a part the VOST-SGG paper describes (docs/vlm.md).
"""
import torch
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy
from torch import Tensor

from .box_crops import crop_region

__all__ = ['box_class_probs', 'ensemble_class_logits']


@torch.no_grad()
def box_class_probs(encoder, batch_inputs: Tensor, batch_data_samples: list,
                    boxes: Tensor) -> Tensor:
    """VLM class probabilities of boxes.

    Args:
        encoder (VLMEncoder): The frozen encoder (online: it needs pixels).
        batch_inputs (Tensor): (B, 3, H, W) detector input of the frames,
            normalised by the data preprocessor and padded.
        batch_data_samples (list): B samples with ``img_shape``.
        boxes (Tensor): (B, Q, 4) normalised cxcywh (by ``img_shape``).

    Returns:
        Tensor: (B, Q, 36) softmax over the object classes 1..36 of
        ``scale * crop_embed @ text_obj.T`` (``scale``: the encoder's
        ``prior_scale``, else the VLM's ``logit_scale``).
    """
    if len(batch_inputs) != len(boxes):
        raise ValueError(f'box_class_probs: {len(batch_inputs)} frames but '
                         f'boxes of {len(boxes)}')
    # the encoder's own resize, normalisation, batching and class prior:
    # a box crop is embedded exactly as a whole frame is
    frames = encoder._frames_from_inputs(batch_inputs, batch_data_samples)
    crops = []
    for frame, frame_boxes in zip(frames, boxes):
        h, w = frame.shape[-2:]
        xyxy = bbox_cxcywh_to_xyxy(frame_boxes.float()).clamp(0, 1)
        xyxy = xyxy * xyxy.new_tensor([w, h, w, h])
        crops += [crop_region(frame, box.tolist()) for box in xyxy]
    if not crops:
        return boxes.new_zeros(*boxes.shape[:2], encoder.text_obj.size(0) - 1)
    embeds, _ = encoder.encode_frames(crops)
    probs = encoder.class_prior(embeds)[:, 1:]
    return probs.view(*boxes.shape[:2], -1).to(boxes.dtype)


def ensemble_class_logits(cls_logits: Tensor, vlm_probs: Tensor,
                          weight: float) -> Tensor:
    """Geometric ensemble of the detector's and the VLM's class scores.

    For AG object ids ``k`` in 1..36: ``q_k = p_k ** (1 - weight) *
    v_k ** weight`` with ``p = softmax(cls_logits)`` (37 columns, index 0
    no-object) and ``v`` the VLM's probabilities; no-object gets the rest,
    ``1 - sum_k q_k`` (>= 0 by Hoelder's inequality). The detector's
    objectness stays in ``q`` (a query it finds empty keeps low scores).

    Args:
        cls_logits (Tensor): (..., 37) detector logits.
        vlm_probs (Tensor): (..., 36) VLM probabilities over ids 1..36.
        weight (float): VLM weight in [0, 1]; 0 returns the input.

    Returns:
        Tensor: (..., 37) log-probabilities whose softmax is ``q``.
    """
    if not 0 <= weight <= 1:
        raise ValueError(f'vlm_class_weight must be in [0, 1], got {weight}')
    if weight == 0:
        return cls_logits
    probs = cls_logits.softmax(-1)
    q = probs[..., 1:].pow(1 - weight) * vlm_probs.clamp(min=0).pow(weight)
    q0 = (1 - q.sum(-1, keepdim=True)).clamp(min=0)
    return torch.cat([q0, q], -1).clamp(min=1e-12).log()
