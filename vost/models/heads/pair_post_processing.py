"""Turn one frame's pair outputs into the prediction contract.

Ranking rule (documented in docs/model.md, configured by the head's
``test_cfg``):

1. ``object score`` = max over the AG classes 1..36 of the object-class
   softmax (index 0, no-object, excluded); ``label`` = its argmax.
2. ``pair score`` = object score x max predicate probability over the 26
   predicates (``pair_score='object_x_predicate'``, default) or the object
   score alone (``pair_score='object'``).
3. Pairs with pair score < ``score_thr`` are dropped; optional pair NMS
   (``pair_nms=dict(iou_threshold=...)``) removes a pair when a
   higher-scored pair has the same object label and an object box IoU
   above the threshold (the subject is the one person); with
   ``subject_iou_threshold`` in ``pair_nms`` the subject boxes must
   overlap too (several people, :mod:`.subject_grouping`); the top
   ``max_per_img`` pairs by pair score are kept, best first.
4. The person box is the pair-score weighted mean of the kept pairs'
   subject boxes (``person_box='weighted'``) or the subject box of the best
   pair (``'best'``); the person has label 1 and score 1 (AG frames have one
   person). ``person_box='per_subject'`` keeps several people: the subject
   boxes are grouped (IoU >= ``subject_iou``) and each group is one person
   (:func:`~.subject_grouping.group_subjects`).
"""
from typing import Optional

import torch
from mmcv.ops import batched_nms
from mmengine.structures import InstanceData
from torch import Tensor

from vost.structures.ag_meta import PERSON_LABEL
from vost.models.stage_outputs import PairLogits
from .subject_grouping import group_subjects, subject_aware_pair_nms

#: The ``test_cfg.person_box`` rules.
PERSON_BOX_RULES = ('weighted', 'best', 'per_subject')

__all__ = [
    'PERSON_BOX_RULES', 'rank_pairs', 'build_frame_prediction',
    'rescale_boxes', 'predict_frame'
]


def rescale_boxes(boxes: Tensor, img_meta: dict,
                  rescale: bool = True) -> Tensor:
    """Normalised cxcywh -> XYXY pixels of the original frame.

    Args:
        boxes (Tensor): (..., 4) cxcywh normalised by ``img_shape``.
        img_meta (dict): ``img_shape``, ``scale_factor`` (w, h),
            ``ori_shape``.
        rescale (bool): Map to original pixels (else input pixels).

    Returns:
        Tensor: (..., 4) XYXY, clipped to the image.
    """
    img_h, img_w = img_meta['img_shape'][:2]
    cx, cy, w, h = boxes.unbind(-1)
    xyxy = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1)
    xyxy = xyxy * xyxy.new_tensor([img_w, img_h, img_w, img_h])
    clip_h, clip_w = img_h, img_w
    if rescale:
        scale_w, scale_h = img_meta.get('scale_factor', (1., 1.))[:2]
        xyxy = xyxy / xyxy.new_tensor([scale_w, scale_h, scale_w, scale_h])
        clip_h, clip_w = img_meta['ori_shape'][:2]
    xyxy[..., 0::2] = xyxy[..., 0::2].clamp(0, clip_w)
    xyxy[..., 1::2] = xyxy[..., 1::2].clamp(0, clip_h)
    return xyxy


def rank_pairs(obj_scores: Tensor,
               obj_labels: Tensor,
               obj_boxes: Tensor,
               predicate_probs: Tensor,
               max_per_img: int = 100,
               score_thr: float = 0.,
               pair_score: str = 'object_x_predicate',
               pair_nms: Optional[dict] = None,
               sub_boxes: Optional[Tensor] = None) -> Tensor:
    """Indices of the kept pairs, best first (rule in the module doc).

    Args:
        obj_scores (Tensor): (Q,) object scores.
        obj_labels (Tensor): (Q,) object labels.
        obj_boxes (Tensor): (Q, 4) XYXY object boxes (any pixel frame).
        predicate_probs (Tensor): (Q, 26) predicate probabilities.
        max_per_img (int): Pairs kept at most.
        score_thr (float): Minimum pair score.
        pair_score (str): ``'object_x_predicate'`` or ``'object'``.
        pair_nms (dict, optional): ``dict(iou_threshold=float)``, with an
            optional ``subject_iou_threshold`` (needs ``sub_boxes``).
        sub_boxes (Tensor, optional): (Q, 4) XYXY subject boxes.

    Returns:
        tuple[Tensor, Tensor]: kept indices (K,) and their pair scores (K,).
    """
    if pair_score == 'object_x_predicate':
        scores = obj_scores * predicate_probs.max(-1)[0]
    elif pair_score == 'object':
        scores = obj_scores.clone()
    else:
        raise ValueError("test_cfg.pair_score must be 'object_x_predicate' "
                         f"or 'object', got {pair_score!r}")
    keep = torch.nonzero(scores >= score_thr).flatten()
    if pair_nms is not None and keep.numel() > 0:
        if pair_nms.get('subject_iou_threshold') is not None:
            nms_keep = subject_aware_pair_nms(
                sub_boxes[keep], obj_boxes[keep], scores[keep],
                obj_labels[keep], pair_nms['iou_threshold'],
                pair_nms['subject_iou_threshold'])
        else:
            nms_keep = _batched_nms(obj_boxes[keep].float(), scores[keep],
                                    obj_labels[keep],
                                    pair_nms['iou_threshold'])
        keep = keep[nms_keep]
    order = scores[keep].argsort(descending=True)[:max_per_img]
    keep = keep[order]
    return keep, scores[keep]


def _batched_nms(boxes: Tensor, scores: Tensor, labels: Tensor,
                 iou_threshold: float) -> Tensor:
    """Class-wise NMS, kept indices best first: mmcv's where it has a
    kernel for the device, else torchvision's, else mmcv's on CPU copies
    (at most ``max_per_img`` boxes, off by default)."""
    from vost.models.layers.roi_ops import mmcv_has_kernel
    nms_cfg = dict(type='nms', iou_threshold=iou_threshold)
    if mmcv_has_kernel(boxes.device):
        return batched_nms(boxes, scores, labels, nms_cfg)[1]
    try:
        from torchvision.ops import batched_nms as tv_batched_nms
    except ImportError:
        keep = batched_nms(boxes.cpu(), scores.cpu(), labels.cpu(),
                           nms_cfg)[1]
        return keep.to(boxes.device)
    return tv_batched_nms(boxes, scores, labels, iou_threshold)


def build_frame_prediction(sub_boxes: Tensor, obj_boxes: Tensor,
                           obj_scores: Tensor, obj_labels: Tensor,
                           attention: Tensor, spatial: Tensor,
                           contacting: Tensor, pair_scores: Tensor,
                           person_box: str = 'weighted',
                           subject_iou: float = 0.5) -> tuple:
    """Assemble pred_instances / pred_pairs for the kept pairs of a frame.

    Instance 0 is the person; instance ``k + 1`` is pair ``k``'s object.
    With ``person_box='per_subject'`` instances ``0..P-1`` are the P
    people and instance ``P + k`` is pair ``k``'s object.

    Args:
        sub_boxes, obj_boxes (Tensor): (K, 4) XYXY original pixels.
        obj_scores (Tensor): (K,). obj_labels (Tensor): (K,) AG ids.
        attention (Tensor): (K, 3) probabilities; spatial (K, 6);
            contacting (K, 17).
        pair_scores (Tensor): (K,) ranking scores (person-box weights).
        person_box (str): One of :data:`PERSON_BOX_RULES`.
        subject_iou (float): Grouping IoU of ``'per_subject'``.

    Returns:
        tuple[InstanceData, InstanceData]: pred_instances (K + P rows) and
        pred_pairs (K rows).
    """
    num = sub_boxes.size(0)
    subject = torch.zeros(num, dtype=torch.long, device=sub_boxes.device)
    if person_box == 'per_subject':
        person, subject = group_subjects(sub_boxes, pair_scores, subject_iou)
    elif num == 0:
        person = sub_boxes.new_zeros((1, 4))
    elif person_box == 'weighted':
        weights = pair_scores.clamp(min=1e-6)
        person = (sub_boxes * weights[:, None]).sum(0, keepdim=True) \
            / weights.sum()
    elif person_box == 'best':
        person = sub_boxes[:1]
    else:
        raise ValueError(f'test_cfg.person_box must be one of '
                         f'{PERSON_BOX_RULES}, got {person_box!r}')
    num_persons = person.size(0)
    instances = InstanceData(
        bboxes=torch.cat([person, obj_boxes], 0),
        labels=torch.cat([
            obj_labels.new_full((num_persons, ), PERSON_LABEL),
            obj_labels.long()
        ]),
        scores=torch.cat([obj_scores.new_ones(num_persons), obj_scores]))
    idx = torch.arange(num, device=sub_boxes.device)
    pairs = InstanceData(
        pair_inds=torch.stack([subject, idx + num_persons], 1),
        attention_scores=attention,
        spatial_scores=spatial,
        contacting_scores=contacting,
        scores=pair_scores)
    return instances, pairs


def predict_frame(logits: PairLogits,
                  img_meta: dict,
                  test_cfg: dict,
                  rescale: bool = True,
                  task: str = 'sgdet',
                  gt_pairs: Optional[InstanceData] = None) -> tuple:
    """One frame's prediction from its last-layer outputs.

    SGDet: pairs ranked and filtered by ``test_cfg`` (module doc).
    PredCls/SGCls: one pair per GT pair, in GT order (query ``r`` is GT
    pair ``r``), GT boxes; labels are the GT's with score 1 (PredCls) or
    predicted over 1..36 (SGCls).

    Args:
        logits (PairLogits): The frame's (Q, ...) last-layer outputs:
            ``cls_scores`` (Q, 37), ``sub_boxes`` / ``obj_boxes`` (Q, 4)
            normalised cxcywh, ``attention`` (Q, 3), ``spatial`` (Q, 6),
            ``contacting`` (Q, 17) logits.
        img_meta (dict): Frame meta (see :func:`rescale_boxes`).
        test_cfg (dict): ``max_per_img``, ``score_thr``, ``pair_score``,
            ``pair_nms``, ``person_box``, ``subject_iou``.
        rescale (bool): Boxes in original-frame pixels.
        task (str): ``'sgdet'``, ``'sgcls'`` or ``'predcls'``.
        gt_pairs (InstanceData, optional): The frame's GT pairs (PredCls,
            SGCls).

    Returns:
        tuple[InstanceData, InstanceData]: See
        :func:`build_frame_prediction`.
    """
    # float32 outputs whatever the compute dtype (bfloat16 / float16 under
    # --amp): boxes in pixels and scores keep full precision
    probs = logits.cls_scores.float().softmax(-1)
    obj_scores, obj_labels = probs[:, 1:].max(-1)
    obj_labels = obj_labels + 1
    attention = logits.attention.float().softmax(-1)
    spatial = logits.spatial.float().sigmoid()
    contacting = logits.contacting.float().sigmoid()
    predicates = torch.cat([attention, spatial, contacting], -1)
    sub = rescale_boxes(logits.sub_boxes.float(), img_meta, rescale)
    obj = rescale_boxes(logits.obj_boxes.float(), img_meta, rescale)
    if task != 'sgdet':
        keep = torch.arange(len(gt_pairs), device=probs.device)
        if task == 'predcls':
            obj_labels = gt_pairs.labels.long()
            obj_scores = probs.new_ones(len(keep))
        else:
            obj_labels, obj_scores = obj_labels[keep], obj_scores[keep]
        pair_scores = obj_scores * predicates[keep].max(-1)[0]
    else:
        keep, pair_scores = rank_pairs(
            obj_scores, obj_labels, obj, predicates,
            max_per_img=test_cfg['max_per_img'],
            score_thr=test_cfg['score_thr'],
            pair_score=test_cfg['pair_score'],
            pair_nms=test_cfg['pair_nms'],
            sub_boxes=sub)
        obj_labels, obj_scores = obj_labels[keep], obj_scores[keep]
    return build_frame_prediction(
        sub[keep], obj[keep], obj_scores, obj_labels, attention[keep],
        spatial[keep], contacting[keep], pair_scores,
        person_box=test_cfg['person_box'],
        subject_iou=test_cfg['subject_iou'])
