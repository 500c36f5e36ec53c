"""Learnability probe: can a small CNN read the pair predicates from pixels?

Trains a 10-layer CNN on (frame, person-box mask, object-box mask) at
128 px to predict the attention (softmax), spatial and contacting
(sigmoid) labels of every GT pair of the train split (PredCls filters),
then reports on the test split: attention accuracy against the majority
class, top-1 spatial / contacting "in GT" rates against the most frequent
label, and per-predicate F1 at probability 0.5. This checks the dataset,
not VOST.

Example::

    python tools/dev/probe_synthetic_ag.py data/synthetic_ag \
        --steps 3000 --device cuda --out probe.json
"""
import argparse
import json

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from vost.ag_format import load_action_genome
from vost.structures.ag_meta import CONTACTING_PREDICATES, SPATIAL_PREDICATES

SIZE = 128


def build_pairs(data_root, split):
    """Images (N, 3, S, S) uint8, boxes (N, 8) and labels of every pair."""
    data_list, _ = load_action_genome(data_root, split, 'predcls')
    imgs, boxes, att, spa, con = [], [], [], [], []
    for video in data_list:
        for frame in video['images']:
            img = cv2.resize(
                cv2.imread(frame['img_path']), (SIZE, SIZE),
                interpolation=cv2.INTER_AREA)
            sx, sy = SIZE / frame['width'], SIZE / frame['height']
            scale = np.array([sx, sy, sx, sy])
            for rel in frame['relations']:
                inst = frame['instances']
                imgs.append(img)
                boxes.append(
                    np.concatenate([
                        np.array(inst[rel['subject']]['bbox']) * scale,
                        np.array(inst[rel['object']]['bbox']) * scale
                    ]))
                att.append(rel['attention'])
                s = np.zeros(len(SPATIAL_PREDICATES), np.float32)
                s[rel['spatial']] = 1
                c = np.zeros(len(CONTACTING_PREDICATES), np.float32)
                c[rel['contacting']] = 1
                spa.append(s)
                con.append(c)
    return (torch.from_numpy(np.stack(imgs)).permute(0, 3, 1, 2),
            torch.tensor(np.stack(boxes), dtype=torch.float32),
            torch.tensor(att), torch.from_numpy(np.stack(spa)),
            torch.from_numpy(np.stack(con)))


def box_masks(boxes, device):
    """(N, 2, S, S) masks of the subject and object boxes."""
    r = torch.arange(SIZE, device=device, dtype=torch.float32)
    yy, xx = r[:, None], r[None, :]

    def mask(b):
        return ((xx >= b[:, 0, None, None]) & (xx <= b[:, 2, None, None]) &
                (yy >= b[:, 1, None, None]) &
                (yy <= b[:, 3, None, None])).float()

    return torch.stack([mask(boxes[:, :4]), mask(boxes[:, 4:])], 1)


def make_net():
    """Five conv blocks (128 -> 4 px) and an MLP to 3 + 6 + 17 logits."""

    def block(i, o):
        return nn.Sequential(
            nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(),
            nn.Conv2d(o, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(),
            nn.MaxPool2d(2))

    return nn.Sequential(
        block(5, 48), block(48, 96), block(96, 160), block(160, 256),
        block(256, 256), nn.Flatten(), nn.Linear(256 * 16, 512), nn.ReLU(),
        nn.Linear(512, 26))


def inputs(data, idx, device, flip=False):
    """Network input (B, 5, S, S) and labels; optional random h-flip."""
    x = data[0][idx].to(device).float() / 255.
    b = data[1][idx].to(device)
    if flip:
        f = torch.rand(len(idx), device=device) < 0.5
        x = torch.where(f[:, None, None, None], x.flip(-1), x)
        bf = b.clone()
        bf[:, [0, 2, 4, 6]] = SIZE - b[:, [2, 0, 6, 4]]
        b = torch.where(f[:, None], bf, b)
    return (torch.cat([x, box_masks(b, device)], 1), data[2][idx].to(device),
            data[3][idx].to(device), data[4][idx].to(device))


def f1(logits, target):
    """Per-column F1 at probability 0.5."""
    pred = (logits > 0).float()
    tp = (pred * target).sum(0)
    return (2 * tp / (pred.sum(0) + target.sum(0)).clamp(min=1)).tolist()


def main():
    """Train, evaluate, print (and save) the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('data_root')
    parser.add_argument('--steps', type=int, default=3000)
    parser.add_argument('--batch-size', type=int, default=256)
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu',
        help='default: cuda where available, else cpu')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out')
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    train, test = (build_pairs(args.data_root, s) for s in ('train', 'test'))
    dev = args.device
    net = make_net().to(dev)
    opt = torch.optim.AdamW(net.parameters(), 1e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-3, args.steps)
    for it in range(args.steps):
        idx = torch.randint(0, len(train[0]), (args.batch_size, ))
        x, a, s, c = inputs(train, idx, dev, flip=True)
        out = net(x)
        loss = (F.cross_entropy(out[:, :3], a) +
                F.binary_cross_entropy_with_logits(out[:, 3:9], s) +
                F.binary_cross_entropy_with_logits(out[:, 9:], c))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if it % 500 == 0:
            print(f'step {it}: loss {loss.item():.3f}', flush=True)
    net.eval()
    with torch.no_grad():
        out = torch.cat([
            net(inputs(test, torch.arange(i, min(i + 512, len(test[0]))),
                       dev)[0]).cpu() for i in range(0, len(test[0]), 512)
        ])
    a, s, c = test[2], test[3], test[4]
    rows = torch.arange(len(a))
    res = dict(
        pairs=dict(train=len(train[0]), test=len(a)),
        attention_acc=(out[:, :3].argmax(1) == a).float().mean().item(),
        attention_majority=(a == torch.bincount(
            train[2]).argmax()).float().mean().item(),
        spatial_top1_in_gt=s[rows, out[:, 3:9].argmax(1)].mean().item(),
        spatial_top1_prior=s[:, train[3].sum(0).argmax()].mean().item(),
        contacting_top1_in_gt=c[rows, out[:, 9:].argmax(1)].mean().item(),
        contacting_top1_prior=c[:, train[4].sum(0).argmax()].mean().item(),
        spatial_f1=dict(zip(SPATIAL_PREDICATES, f1(out[:, 3:9], s))),
        contacting_f1=dict(zip(CONTACTING_PREDICATES, f1(out[:, 9:], c))),
        contacting_test_counts=dict(
            zip(CONTACTING_PREDICATES, c.sum(0).int().tolist())))
    text = json.dumps(res, indent=1)
    print(text)
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    main()
