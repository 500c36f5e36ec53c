"""Contrastive pretraining of a tiny CLIP on a synthetic Action Genome set.

On real Action Genome, VOST's VLM is a web-pretrained CLIP: it knows what a
cup or a sofa looks like before VOST trains. The synthetic CPU configs
cannot download one, and a random-weight tiny CLIP knows nothing, so the
VLM-aided parts of VOST could not show an effect. This module gives the
tiny CLIP that prior knowledge, the CLIP way: image-text contrastive
training on frames and box crops paired with captions made from the
annotations of a **separate** synthetic set (its own data seed, like CLIP's
web data is not Action Genome). It reads only the ``train`` split of that
set (and holds out some of its videos to report accuracy); it never reads
VOST's data or any test split.

Image-text pairs per step (every text goes through the text tower with
gradients; every image through the vision tower exactly as
:class:`~vost.models.vlm.VLMEncoder` feeds it: the whole frame stretched to
``image_size`` with bilinear antialiasing, the checkpoint's mean / std):

- ``crop``: a box crop (object or person, 15% context) against the 36 object
  prompts ``'a photo of a {obj}.'`` (the encoder's own prompts): softmax
  cross-entropy over the classes, CLIP's zero-shot classifier as the loss.
- ``frame``: the whole frame's embedding against the same prompts, target
  spread evenly over the classes present: what
  ``VLMEncoder.class_prior`` reads.
- ``patch``: each patch token of the frame (projected, as the encoder's
  ``patch_feats``) against the object prompts, labelled with the smallest
  box covering at least a quarter of the patch (or of the box); patches
  without such a box are ignored. The feature bank pools these tokens.
- ``union``: the patch tokens RoI-pooled over the person-object union box
  (as the feature bank does) against the 26 predicate prompts
  ``'a person {pred} a thing.'`` (the encoder's ``text_pred``), target
  spread over the pair's predicates.
- ``caption``: the frame against a caption of one of its relations, e.g.
  ``'a person holding a cup or glass or bottle.'``, symmetric InfoNCE over
  the batch (equal captions count as positives of each other).

The loss is the sum of the five; CLIP's learnable ``logit_scale`` is
trained too (clamped to 100, as CLIP does).
"""
import json
import os
import os.path as osp
import shutil
import time
from typing import Dict, List, Optional

import numpy as np
import torch
import torch.nn.functional as F

from vost.models.vlm.box_pooling import pool_boxes
from vost.models.vlm.hf_loading import load_image_stats, load_vlm

from .tiny_clip_data import (build_pretraining_set, prompt_tables,
                                   relation_index, sample_batch)

__all__ = ['pretrain_tiny_clip', 'evaluate_tiny_clip']


def _embed_groups(model, tokenizer, groups: List[List[str]]) -> torch.Tensor:
    """Text embeddings (K, C) of prompt groups, averaged per group as
    ``VLMEncoder.encode_prompts`` does (here with gradients)."""
    flat = [p for g in groups for p in g]
    tokens = tokenizer(flat, padding=True, truncation=True,
                       return_tensors='pt')
    embeds = F.normalize(
        model.get_text_features(input_ids=tokens['input_ids'],
                                attention_mask=tokens['attention_mask']),
        dim=-1)
    sizes = [len(g) for g in groups]
    if all(s == 1 for s in sizes):
        return embeds
    out, start = [], 0
    for size in sizes:
        out.append(F.normalize(embeds[start:start + size].mean(0), dim=-1))
        start += size
    return torch.stack(out)


def _encode_images(model, pixels: torch.Tensor, mean: torch.Tensor,
                   std: torch.Tensor):
    """Image embeddings (n, C) and patch grids (n, C, g, g) of uint8
    images (n, 3, S, S), computed as ``VLMEncoder._vision_forward``."""
    x = (pixels.float() - mean) / std
    vision = model.vision_model
    out = vision(pixel_values=x)
    image = F.normalize(model.visual_projection(out.pooler_output), dim=-1)
    patches = model.visual_projection(
        vision.post_layernorm(out.last_hidden_state[:, 1:]))
    g = int(round(patches.size(1)**0.5))
    return image, patches.transpose(1, 2).reshape(len(x), -1, g, g)


def _augment(pixels: torch.Tensor, gen: torch.Generator):
    """Random horizontal flip and brightness / contrast jitter of uint8
    images; returns the float images and the flip mask."""
    n = len(pixels)
    flip = torch.rand(n, generator=gen) < 0.5
    x = pixels.float()
    x[flip] = x[flip].flip(-1)
    contrast = 0.7 + 0.6 * torch.rand(n, 1, 1, 1, generator=gen)
    bright = 40 * (torch.rand(n, 1, 1, 1, generator=gen) - 0.5)
    mean = x.mean((1, 2, 3), keepdim=True)
    x = ((x - mean) * contrast + mean + bright).clamp(0, 255)
    return x, flip


def _soft_ce(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against a target spread evenly over its positives."""
    target = target / target.sum(-1, keepdim=True).clamp(min=1)
    return -(target * logits.log_softmax(-1)).sum(-1).mean()


def _pair_losses(model, tokenizer, text_obj, text_pred, caption_bank,
                 batch, scale, gen) -> Dict[str, torch.Tensor]:
    """The five losses of one batch (see the module docstring)."""
    frames, flip = _augment(batch['frames'], gen)
    crops, _ = _augment(batch['crops'], gen)
    mean, std = batch['mean'], batch['std']
    frame_emb, grid = _encode_images(model, frames, mean, std)
    crop_emb, _ = _encode_images(model, crops, mean, std)
    losses = {}
    losses['crop'] = F.cross_entropy(scale * crop_emb @ text_obj.t(),
                                     batch['crop_labels'] - 1)
    losses['frame'] = _soft_ce(scale * frame_emb @ text_obj.t(),
                               batch['frame_classes'][:, 1:])
    # patches: flipped frames have flipped label grids
    labels = batch['patch_labels'].clone()
    labels[flip] = labels[flip].flip(-1)
    tokens = F.normalize(grid.flatten(2).transpose(1, 2), dim=-1)
    labels = (labels - 1).flatten(1)
    labels[labels < 0] = -100
    if (labels >= 0).any():
        losses['patch'] = F.cross_entropy(
            (scale * tokens @ text_obj.t()).flatten(0, 1), labels.flatten(),
            ignore_index=-100)
    # union boxes: the feature bank's pooling, flipped with the frame
    union = batch['rel_union'].clone()
    union[flip, 0] = 1 - union[flip, 0]
    pooled = F.normalize(pool_boxes(grid, union[:, None])[:, 0], dim=-1)
    pred_logits = scale * pooled @ text_pred.t()
    target = batch['rel_targets']
    group_losses = []
    for start, end in ((0, 3), (3, 9), (9, 26)):
        group_losses.append(_soft_ce(pred_logits[:, start:end],
                                     target[:, start:end]))
    losses['union'] = sum(group_losses)
    # captions: InfoNCE over the batch, equal captions are positives
    caption_ids = batch['caption_ids']
    tokens = {k: v[caption_ids] for k, v in caption_bank.items()}
    caption_emb = F.normalize(model.get_text_features(**tokens), dim=-1)
    logits = scale * frame_emb @ caption_emb.t()
    same = (caption_ids[:, None] == caption_ids[None]).float()
    losses['caption'] = 0.5 * (_soft_ce(logits, same) +
                               _soft_ce(logits.t(), same))
    return losses





@torch.no_grad()
def evaluate_tiny_clip(model, tokenizer, part: dict, mean: torch.Tensor,
                       std: torch.Tensor) -> Dict[str, float]:
    """Zero-shot accuracies of a CLIP on a part of the pretraining set.

    Returns:
        dict: ``crop_top1`` (object / person crops, 36 prompts),
        ``frame_recall`` (classes present found in the frame embedding's
        top-n, n = number present), ``patch_top1`` (labelled patches),
        ``attention_top1`` (union-pooled patches, 3 attention prompts),
        ``chance_crop_top1`` (majority class share).
    """
    model.eval()
    obj_prompts, pred_prompts, _ = prompt_tables(tokenizer)
    text_obj = _embed_groups(model, tokenizer, obj_prompts)
    text_pred = _embed_groups(model, tokenizer, pred_prompts)
    hits = dict(crop=0., frame=0., patch=0., att=0.)
    counts = dict(crop=0, frame=0., patch=0, att=0)
    for s in range(0, len(part['crops']), 256):
        emb, _ = _encode_images(model, part['crops'][s:s + 256], mean, std)
        pred = (emb @ text_obj.t()).argmax(-1) + 1
        hits['crop'] += float((pred == part['crop_labels'][s:s + 256]).sum())
        counts['crop'] += len(pred)
    rel_start, _ = relation_index(part)
    for s in range(0, len(part['frames']), 256):
        emb, grid = _encode_images(model, part['frames'][s:s + 256], mean,
                                   std)
        present = part['frame_classes'][s:s + 256, 1:]
        order = (emb @ text_obj.t()).argsort(-1, descending=True)
        for row, pres in zip(order, present):
            num = int(pres.sum())
            hits['frame'] += float(pres[row[:num]].sum())
            counts['frame'] += num
        labels = part['patch_labels'][s:s + 256].flatten(1) - 1
        tokens = F.normalize(grid.flatten(2).transpose(1, 2), dim=-1)
        pred = (tokens @ text_obj.t()).argmax(-1)
        valid = labels >= 0
        hits['patch'] += float((pred == labels)[valid].sum())
        counts['patch'] += int(valid.sum())
        # the first relation of each frame
        keep = part['_with_rel'][(part['_with_rel'] >= s)
                                 & (part['_with_rel'] < s + 256)]
        if len(keep):
            ri = rel_start[keep]
            pooled = F.normalize(
                pool_boxes(grid[keep - s], part['rel_union'][ri][:, None])
                [:, 0], dim=-1)
            att = (pooled @ text_pred[:3].t()).argmax(-1)
            hits['att'] += float(
                part['rel_targets'][ri, :3].gather(1, att[:, None]).sum())
            counts['att'] += len(keep)
    majority = torch.bincount(part['crop_labels']).max().item()
    return dict(
        crop_top1=hits['crop'] / max(counts['crop'], 1),
        frame_recall=hits['frame'] / max(counts['frame'], 1),
        patch_top1=hits['patch'] / max(counts['patch'], 1),
        attention_top1=hits['att'] / max(counts['att'], 1),
        chance_crop_top1=majority / max(counts['crop'], 1))


def _save_atomically(model, tokenizer, init_dir: str, out_dir: str,
                     report: dict) -> None:
    """Write the checkpoint folder next to ``out_dir``, then swap it in."""
    tmp = f'{out_dir}.tmp-{os.getpid()}'
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    shutil.copy(osp.join(init_dir, 'preprocessor_config.json'), tmp)
    with open(osp.join(tmp, 'pretraining.json'), 'w') as f:
        json.dump(report, f, indent=2)
    old = f'{out_dir}.old-{os.getpid()}'
    if osp.exists(out_dir):
        os.replace(out_dir, old)
    os.replace(tmp, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def pretrain_tiny_clip(data_root: str,
                       out_dir: str,
                       steps: int = 1500,
                       batch_frames: int = 64,
                       batch_crops: int = 128,
                       lr: float = 2e-3,
                       weight_decay: float = 0.01,
                       seed: int = 0,
                       model_kwargs: Optional[dict] = None,
                       meta: Optional[dict] = None,
                       log=print) -> dict:
    """Pretrain a tiny CLIP contrastively and save it with
    ``save_pretrained`` (loaded back by ``from_pretrained`` like any CLIP).

    The start point is :func:`~vost.pretraining.make_tiny_vlm`'s random
    model (same tokenizer and preprocessor config). Sampling and
    initialisation are seeded: the same arguments and thread count give
    the same weights.

    Args:
        data_root (str): The pretraining set (synthetic AG format); only
            its ``train`` split is read.
        out_dir (str): Output folder (replaced atomically).
        steps (int): Optimiser steps.
        batch_frames (int): Frames per step (each with one relation).
        batch_crops (int): Box crops per step.
        lr (float): Peak AdamW learning rate (5% linear warm-up, then
            cosine decay to 0).
        weight_decay (float): AdamW weight decay.
        seed (int): Seed of the initial weights and of the sampling.
        model_kwargs (dict, optional): Passed to ``make_tiny_vlm`` (sizes).
        meta (dict, optional): More entries for the report (e.g. the
            pretraining set's data seed).
        log (Callable): Progress printer.

    Returns:
        dict: The report written to ``out_dir/pretraining.json``: the
        settings, the losses and the held-out accuracies before and after.
    """
    from transformers import AutoModel, AutoTokenizer

    from .tiny_vlm import make_tiny_vlm
    start_time = time.time()
    init_dir = f'{out_dir}.init-{os.getpid()}'
    make_tiny_vlm(init_dir, family='clip', seed=seed, **(model_kwargs or {}))
    try:
        # the real loading path, then unfrozen for training
        load_vlm(init_dir, local_files_only=True)
        model = AutoModel.from_pretrained(init_dir, local_files_only=True)
        tokenizer = AutoTokenizer.from_pretrained(init_dir,
                                                  local_files_only=True)
        mean, std = load_image_stats(init_dir, local_files_only=True)
        mean = torch.tensor(mean).view(1, 3, 1, 1) * 255.
        std = torch.tensor(std).view(1, 3, 1, 1) * 255.
        vcfg = model.config.vision_config
        size = int(vcfg.image_size)
        grid = size // int(vcfg.patch_size)
        data = build_pretraining_set(data_root, size, grid)
        train, val = data['train'], data['val']
        log(f'VLM pretraining set {data_root}: {len(train["frames"])} '
            f'frames / {len(train["crops"])} crops for training, '
            f'{len(val["frames"])} / {len(val["crops"])} held out')
        before = evaluate_tiny_clip(model, tokenizer, val, mean, std)
        obj_prompts, pred_prompts, bank = prompt_tables(tokenizer)
        rel_start, rel_count = relation_index(train)
        gen = torch.Generator().manual_seed(seed)
        optim = torch.optim.AdamW(model.parameters(), lr=lr,
                                  weight_decay=weight_decay)
        warmup = max(1, steps // 20)

        def lr_at(step):
            if step < warmup:
                return (step + 1) / warmup
            t = (step - warmup) / max(1, steps - warmup)
            return 0.5 * (1 + np.cos(np.pi * t))

        sched = torch.optim.lr_scheduler.LambdaLR(optim, lr_at)
        model.train()
        history = []
        for step in range(steps):
            batch = sample_batch(train, rel_start, rel_count, batch_frames,
                            batch_crops, gen)
            batch.update(mean=mean, std=std)
            text_obj = _embed_groups(model, tokenizer, obj_prompts)
            text_pred = _embed_groups(model, tokenizer, pred_prompts)
            scale = model.logit_scale.clamp(max=np.log(100.)).exp()
            losses = _pair_losses(model, tokenizer, text_obj, text_pred,
                                  bank, batch, scale, gen)
            loss = sum(losses.values())
            optim.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
            if step % 100 == 0 or step == steps - 1:
                row = {k: round(v.item(), 4) for k, v in losses.items()}
                row.update(step=step, loss=round(loss.item(), 4))
                history.append(row)
                log(f'VLM pretraining step {step}/{steps}: ' + ', '.join(
                    f'{k} {v:.3f}' for k, v in row.items() if k != 'step'))
        after = evaluate_tiny_clip(model, tokenizer, val, mean, std)
        log('VLM held-out accuracy, random init -> pretrained: ' + ', '.join(
            f'{k} {before[k]:.3f} -> {after[k]:.3f}' for k in after))
        report = dict(
            data_root=osp.abspath(data_root), split='train', steps=steps,
            batch_frames=batch_frames, batch_crops=batch_crops, lr=lr,
            weight_decay=weight_decay, seed=seed,
            model_kwargs=model_kwargs or {},
            train_frames=len(train['frames']),
            train_crops=len(train['crops']),
            heldout_before=before, heldout_after=after, history=history,
            seconds=round(time.time() - start_time, 1), **(meta or {}))
        model.eval()
        _save_atomically(model, tokenizer, init_dir, out_dir, report)
    finally:
        shutil.rmtree(init_dir, ignore_errors=True)
    return report
