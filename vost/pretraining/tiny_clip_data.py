"""The image-text pairs of the tiny-CLIP pretraining (see
:mod:`vost.pretraining.tiny_clip`): frames, box crops and their labels, the
prompt tables and the batch sampler.
"""
from typing import Dict, List

import numpy as np
import torch
import torch.nn.functional as F

from vost.ag_format import load_action_genome
from vost.structures.ag_meta import OBJECT_CLASSES, PREDICATE_GROUP_OFFSETS
from vost.models.vlm.box_crops import crop_box
from vost.models.vlm.prompts import (DEFAULT_OBJECT_TEMPLATES,
                                     DEFAULT_PREDICATE_TEMPLATES,
                                     build_object_prompts,
                                     build_predicate_prompts, object_phrase)

__all__ = [
    'build_pretraining_set', 'prompt_tables', 'relation_index', 'sample_batch'
]

_MIN_COVER = 0.25


def _read_rgb(path: str) -> np.ndarray:
    """Read an image file as an RGB uint8 array (H, W, 3)."""
    import cv2
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise FileNotFoundError(f'Cannot read the frame image {path}')
    return img[..., ::-1]


def _resize(img: torch.Tensor, size: int) -> torch.Tensor:
    """(3, h, w) float 0..255 -> (3, size, size), the encoder's resize."""
    return F.interpolate(
        img[None], size=(size, size), mode='bilinear', align_corners=False,
        antialias=True)[0]


def _patch_labels(instances: List[dict], width: int, height: int,
                  grid: int) -> np.ndarray:
    """Per-patch class (AG id) of a ``grid x grid`` frame grid, -1 none."""
    labels = np.full((grid, grid), -1, dtype=np.int64)
    cw, ch = width / grid, height / grid
    boxes = [(np.asarray(i['bbox'], dtype=np.float64), int(i['bbox_label']))
             for i in instances]
    for gy in range(grid):
        for gx in range(grid):
            cell = (gx * cw, gy * ch, (gx + 1) * cw, (gy + 1) * ch)
            best, best_area = -1, np.inf
            for box, label in boxes:
                iw = min(cell[2], box[2]) - max(cell[0], box[0])
                ih = min(cell[3], box[3]) - max(cell[1], box[1])
                if iw <= 0 or ih <= 0:
                    continue
                area = (box[2] - box[0]) * (box[3] - box[1])
                if iw * ih >= _MIN_COVER * min(cw * ch, area) and \
                        area < best_area:
                    best, best_area = label, area
            labels[gy, gx] = best
    return labels


def build_pretraining_set(data_root: str,
                          image_size: int,
                          grid: int,
                          val_fraction: float = 0.1,
                          input_scale: float = 0.5) -> Dict[str, dict]:
    """Frames, crops and labels of a synthetic set's ``train`` split.

    Args:
        data_root (str): A synthetic Action Genome root (AG format).
        image_size (int): The VLM's input size S.
        grid (int): The VLM's native patch grid (``S // patch_size``).
        val_fraction (float): Share of the train videos held out to report
            accuracy (the last videos in id order).
        input_scale (float): Each frame is first resized by this factor
            (antialiased), as the detector's pipeline resizes it before
            the VLM sees the frame or crops its boxes (0.5: the synthetic
            configs read 256-px frames at 128 px).

    Returns:
        dict: ``'train'`` and ``'val'``, each a dict of ``frames`` (N, 3,
        S, S) uint8, ``frame_classes`` (N, 37) multi-hot (person
        included), ``patch_labels`` (N, grid, grid), ``crops`` (M, 3, S,
        S) uint8, ``crop_labels`` (M,), and per relation ``rel_frame``
        (R,), ``rel_union`` (R, 4) normalised cxcywh, ``rel_targets``
        (R, 26) multi-hot, ``rel_object`` (R,) AG id.
    """
    # predcls: no small-box filter (a small object is still an object)
    videos, _ = load_action_genome(data_root, 'train', 'predcls',
                                   check_frames_exist=True)
    num_val = int(round(val_fraction * len(videos)))
    parts = dict(train=videos[:len(videos) - num_val],
                 val=videos[len(videos) - num_val:])
    out = {}
    for name, part in parts.items():
        acc = dict(frames=[], frame_classes=[], patch_labels=[], crops=[],
                   crop_labels=[], rel_frame=[], rel_union=[],
                   rel_targets=[], rel_object=[])
        for video in part:
            for frame in video['images']:
                img = torch.from_numpy(
                    np.ascontiguousarray(_read_rgb(frame['img_path']))
                ).permute(2, 0, 1).float()
                h, w = img.shape[-2:]
                if input_scale != 1:
                    img = F.interpolate(
                        img[None], scale_factor=input_scale, mode='bilinear',
                        align_corners=False, antialias=True)[0]
                sx, sy = img.shape[-1] / w, img.shape[-2] / h
                idx = len(acc['frames'])
                acc['frames'].append(_resize(img, image_size).round().clamp(
                    0, 255).to(torch.uint8))
                present = np.zeros(len(OBJECT_CLASSES), dtype=np.float32)
                for inst in frame['instances']:
                    present[inst['bbox_label']] = 1
                    x1, y1, x2, y2 = inst['bbox']
                    crop = crop_box(img, (x1 * sx, y1 * sy, x2 * sx, y2 * sy),
                                    image_size)
                    acc['crops'].append(
                        crop.round().clamp(0, 255).to(torch.uint8))
                    acc['crop_labels'].append(inst['bbox_label'])
                acc['frame_classes'].append(present)
                acc['patch_labels'].append(
                    _patch_labels(frame['instances'], w, h, grid))
                for rel in frame['relations']:
                    if rel['subject'] < 0:
                        continue
                    sub = frame['instances'][rel['subject']]['bbox']
                    obj_inst = frame['instances'][rel['object']]
                    obj = obj_inst['bbox']
                    x1, y1 = min(sub[0], obj[0]), min(sub[1], obj[1])
                    x2, y2 = max(sub[2], obj[2]), max(sub[3], obj[3])
                    acc['rel_union'].append([(x1 + x2) / 2 / w,
                                             (y1 + y2) / 2 / h,
                                             (x2 - x1) / w, (y2 - y1) / h])
                    target = np.zeros(26, dtype=np.float32)
                    target[PREDICATE_GROUP_OFFSETS['attention'] +
                           rel['attention']] = 1
                    for k in rel['spatial']:
                        target[PREDICATE_GROUP_OFFSETS['spatial'] + k] = 1
                    for k in rel['contacting']:
                        target[PREDICATE_GROUP_OFFSETS['contacting'] + k] = 1
                    acc['rel_targets'].append(target)
                    acc['rel_frame'].append(idx)
                    acc['rel_object'].append(obj_inst['bbox_label'])
        if not acc['frames'] or not acc['rel_frame']:
            raise ValueError(
                f'{data_root}: the {name} part of the pretraining set has no '
                'frame with a relation; generate more videos')
        out[name] = dict(
            frames=torch.stack(acc['frames']),
            frame_classes=torch.from_numpy(np.stack(acc['frame_classes'])),
            patch_labels=torch.from_numpy(np.stack(acc['patch_labels'])),
            crops=torch.stack(acc['crops']),
            crop_labels=torch.tensor(acc['crop_labels']),
            rel_frame=torch.tensor(acc['rel_frame']),
            rel_union=torch.tensor(acc['rel_union'], dtype=torch.float32),
            rel_targets=torch.from_numpy(np.stack(acc['rel_targets'])),
            rel_object=torch.tensor(acc['rel_object']))
    return out


def prompt_tables(tokenizer):
    """The encoder's object / predicate prompts and the caption bank.

    Returns:
        tuple: 36 object prompt groups, 26 predicate prompt groups and the
        tokenised captions (``input_ids``, ``attention_mask`` of 36 x 26
        rows; caption ``(k - 1) * 26 + p`` is object id ``k`` with
        predicate ``p``).
    """
    obj_prompts = build_object_prompts(DEFAULT_OBJECT_TEMPLATES)
    pred_prompts = build_predicate_prompts(DEFAULT_PREDICATE_TEMPLATES)
    # caption (obj id k, predicate p) has id (k - 1) * 26 + p
    captions = [
        group[0] for name in OBJECT_CLASSES[1:]
        for group in build_predicate_prompts(DEFAULT_PREDICATE_TEMPLATES,
                                             object_phrase(name))
    ]
    tokens = tokenizer(captions, padding=True, truncation=True,
                       return_tensors='pt')
    bank = dict(input_ids=tokens['input_ids'],
                attention_mask=tokens['attention_mask'])
    return obj_prompts, pred_prompts, bank


def sample_batch(part: dict, rel_start, rel_count, batch_frames: int,
                 batch_crops: int, gen: torch.Generator) -> dict:
    """One random batch of frames (with one relation each) and crops.

    Args:
        part (dict): A part of :func:`build_pretraining_set` after
            :func:`relation_index`.
        rel_start, rel_count (Tensor): (N,) from :func:`relation_index`.
        batch_frames (int): Frames F.
        batch_crops (int): Crops K.
        gen (torch.Generator): The sampling generator.

    Returns:
        dict: ``frames`` (F, 3, S, S), ``frame_classes``, ``patch_labels``,
        ``rel_union`` (F, 4), ``rel_targets`` (F, 26), ``caption_ids``
        (F,) (one positive predicate of the relation, see
        :func:`prompt_tables`), ``crops`` (K, 3, S, S), ``crop_labels``.
    """
    with_rel = part['_with_rel']
    fi = with_rel[torch.randint(len(with_rel), (batch_frames, ),
                                generator=gen)]
    ri = rel_start[fi] + (torch.rand(batch_frames, generator=gen) *
                          rel_count[fi]).long()
    preds = torch.multinomial(part['rel_targets'][ri], 1,
                              generator=gen)[:, 0]
    ci = torch.randint(len(part['crops']), (batch_crops, ), generator=gen)
    return dict(
        frames=part['frames'][fi],
        frame_classes=part['frame_classes'][fi],
        patch_labels=part['patch_labels'][fi],
        rel_union=part['rel_union'][ri],
        rel_targets=part['rel_targets'][ri],
        caption_ids=(part['rel_object'][ri] - 1) * 26 + preds,
        crops=part['crops'][ci],
        crop_labels=part['crop_labels'][ci])


def relation_index(part: dict):
    """First relation (R,) index and relation count of every frame (N,);
    also stores the frames with a relation as ``part['_with_rel']``."""
    count = torch.bincount(part['rel_frame'], minlength=len(part['frames']))
    start = torch.cumsum(count, 0) - count
    part['_with_rel'] = torch.nonzero(count > 0)[:, 0]
    return start, count
