"""Time training steps of a VOST config on random clips (no data needed).

Example (2 CPU cores)::

    python tools/analysis_tools/benchmark_model.py \
        configs/vost/vost-spatial_r18_1xb8-2e_synthetic-ag-sgdet.py \
        --iters 20 --img-size 128 128

Prints the mean seconds per training step (forward, backward, AdamW step)
and per inference batch, after ``--warmup`` untimed steps.
"""
import argparse
import time

import torch
from mmengine.config import Config, DictAction

from vost.registry import MODELS
from vost.testing import demo_sg_track_inputs
from vost.utils import register_all_modules


def parse_args():
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=None,
                        help='clips per step (default: the config\'s)')
    parser.add_argument('--img-size', type=int, nargs=2, default=(128, 128),
                        metavar=('H', 'W'))
    parser.add_argument('--objects', type=int, default=3,
                        help='objects per frame besides the person')
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def main():
    """Build the model and time it."""
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    model.init_weights()
    batch_size = args.batch_size or cfg.train_dataloader.batch_size
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    data = demo_sg_track_inputs(
        batch_size=batch_size, image_shapes=(3, *args.img_size),
        num_objects=args.objects)
    model.train()
    times = []
    for i in range(args.warmup + args.iters):
        start = time.perf_counter()
        batch = model.data_preprocessor(data, True)
        losses = model(**batch, mode='loss')
        optimizer.zero_grad()
        sum(losses.values()).backward()
        optimizer.step()
        if i >= args.warmup:
            times.append(time.perf_counter() - start)
    train = sum(times) / len(times)
    model.eval()
    times = []
    with torch.no_grad():
        for i in range(args.warmup + args.iters):
            start = time.perf_counter()
            model(**model.data_preprocessor(data, False), mode='predict')
            if i >= args.warmup:
                times.append(time.perf_counter() - start)
    test = sum(times) / len(times)
    print(f'{args.config}: batch {batch_size} x {args.img_size[0]}x'
          f'{args.img_size[1]}, {torch.get_num_threads()} threads: '
          f'train {train:.3f} s/iter ({1 / train:.2f} it/s), '
          f'predict {test:.3f} s/batch')


if __name__ == '__main__':
    main()
