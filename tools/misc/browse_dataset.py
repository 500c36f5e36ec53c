"""Draw the boxes and triplets of sampled clips to PNG files.

Runs the dataset's own pipeline (so resize / flip / colour jitter are
shown as the model sees them) and writes one PNG per item: the clip's
frames side by side (the key frame framed in red), boxes with class names,
and the frame's triplets listed under each frame.

Example::

    python tools/misc/browse_dataset.py \
        configs/_base_/datasets/synthetic_ag.py \
        --output-dir work_dirs/browse --num 20 --split train
"""
import argparse
import os
import os.path as osp
import random
import sys

import cv2
import numpy as np
from mmengine.config import Config, DictAction
from mmengine.registry import build_from_cfg

from vost.structures.ag_meta import (
    ATTENTION_PREDICATES,
    CONTACTING_PREDICATES,
    OBJECT_CLASSES,
    SPATIAL_PREDICATES,
)
from vost.engine import fill_from_model
from vost.registry import DATASETS
from vost.utils import register_all_modules
from vost.engine.cfg_options import check_cfg_options

PALETTE = [(230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200),
           (245, 130, 48), (145, 30, 180), (70, 240, 240), (240, 50, 230)]


def parse_args():
    """Parse the command line."""
    parser = argparse.ArgumentParser(description='Browse a dataset')
    parser.add_argument('config', help='config with train/test dataloaders')
    parser.add_argument('--output-dir', required=True)
    parser.add_argument('--split', choices=['train', 'test'], default='train')
    parser.add_argument('--num', type=int, default=10, help='items to draw')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def triplet_lines(pairs, labels):
    """Text lines ``<subject> <predicate> <object>`` of one frame."""
    lines = []
    for k in range(len(pairs.pair_inds)):
        s, o = pairs.pair_inds[k].tolist()
        sub, obj = OBJECT_CLASSES[labels[s]], OBJECT_CLASSES[labels[o]]
        preds = [ATTENTION_PREDICATES[int(pairs.attention[k])]]
        preds += [
            SPATIAL_PREDICATES[i]
            for i in np.flatnonzero(pairs.spatial[k].numpy())
        ]
        preds += [
            CONTACTING_PREDICATES[i]
            for i in np.flatnonzero(pairs.contacting[k].numpy())
        ]
        lines.append(f"{sub}-{obj}: {', '.join(preds)}")
    return lines


def draw_frame(img, sample, is_key):
    """Draw one frame's boxes and its triplet list below it."""
    img = np.ascontiguousarray(img)
    inst = sample.gt_instances
    labels = inst.labels.tolist()
    for i, (box, label) in enumerate(zip(inst.bboxes.tolist(), labels)):
        c = PALETTE[i % len(PALETTE)]
        x1, y1, x2, y2 = (int(round(v)) for v in box)
        cv2.rectangle(img, (x1, y1), (x2, y2), c, 1)
        cv2.putText(img, f'{i}:{OBJECT_CLASSES[label]}', (x1, max(8, y1 - 2)),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.3, c, 1)
    if is_key:
        cv2.rectangle(img, (0, 0), (img.shape[1] - 1, img.shape[0] - 1),
                      (0, 0, 255), 2)
    lines = triplet_lines(sample.gt_pairs, labels)
    text = np.full((12 * len(lines) + 16, max(img.shape[1], 300), 3), 255,
                   np.uint8)
    cv2.putText(text, sample.frame_key, (2, 10), cv2.FONT_HERSHEY_SIMPLEX,
                0.3, (0, 0, 0), 1)
    for j, line in enumerate(lines):
        cv2.putText(text, line, (2, 24 + 12 * j), cv2.FONT_HERSHEY_SIMPLEX,
                    0.3, (0, 0, 0), 1)
    canvas = np.full((img.shape[0] + text.shape[0], text.shape[1], 3), 255,
                     np.uint8)
    canvas[:img.shape[0], :img.shape[1]] = img
    canvas[img.shape[0]:] = text
    return canvas


def main():
    """Build the dataset from the config and draw ``--num`` items."""
    args = parse_args()
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        try:  # refuse options that change nothing, or of the wrong type
            check_cfg_options(cfg, args.cfg_options, args.config)
        except (KeyError, ValueError) as exc:
            sys.exit(f'error: {exc.args[0]}')
        cfg.merge_from_dict(args.cfg_options)
    fill_from_model(cfg)  # task and causal clips: the model states them
    loader = cfg.train_dataloader if args.split == 'train' \
        else cfg.test_dataloader
    dataset = build_from_cfg(loader.dataset, DATASETS)
    os.makedirs(args.output_dir, exist_ok=True)
    random.seed(args.seed)
    np.random.seed(args.seed)
    inds = random.sample(range(len(dataset)), min(args.num, len(dataset)))
    for idx in inds:
        item = dataset[idx]
        track = item['data_samples']
        key = set(track.key_frames_inds)
        # Photometric noise makes the frames float: back to uint8 BGR.
        imgs = item['inputs'].permute(0, 2, 3, 1).numpy()
        imgs = np.clip(imgs, 0, 255).astype(np.uint8)
        panels = [
            draw_frame(imgs[t], s, t in key)
            for t, s in enumerate(track.video_data_samples)
        ]
        height = max(p.shape[0] for p in panels)
        panels = [
            np.pad(p, ((0, height - p.shape[0]), (0, 4), (0, 0)),
                   constant_values=255) for p in panels
        ]
        name = track.video_data_samples[0].frame_key.replace('/', '_')
        out = osp.join(args.output_dir, f'{idx:06d}_{name}')
        cv2.imwrite(out, np.concatenate(panels, 1))
    print(f'wrote {len(inds)} images to {args.output_dir}')


if __name__ == '__main__':
    main()
