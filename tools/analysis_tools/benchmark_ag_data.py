"""Speed of the Action Genome data layer.

Two figures:

- ``loader``: ``load_action_genome`` on annotations of real-AG size
  (288,782 keys by default), written once to a temporary folder with the
  real format (person XYXY, objects XYWH, ~3 objects per frame, ~8%
  invisible, a few frames without a person); no frames on disk.
- ``synthetic``: frames per second of ``make_synthetic_ag`` (rendering and
  PNG writing) in this process.

Example::

    python tools/analysis_tools/benchmark_ag_data.py --keys 288782 \
        --synthetic-videos 50
"""
import argparse
import tempfile
import time

import numpy as np

from vost.ag_format import (
    format_load_report,
    load_action_genome,
    write_annotations,
)
from vost.structures.ag_meta import (
    ATTENTION_PREDICATES,
    CONTACTING_PREDICATES,
    OBJECT_CLASSES,
    SPATIAL_PREDICATES,
)
from vost.datasets.synthetic import make_synthetic_ag


def fake_annotations(num_keys: int, seed: int = 0):
    """Real-format annotations of ``num_keys`` frames (about 30 per video).

    Args:
        num_keys (int): Number of frame keys.
        seed (int): Seed.

    Returns:
        tuple: ``(person, objects, frame_list)``.
    """
    rng = np.random.default_rng(seed)
    person, objects, keys = {}, {}, []
    classes = OBJECT_CLASSES[2:]
    for i in range(num_keys):
        vid = f'{i // 30:05d}.mp4'
        key = f'{vid}/{(i % 30) * 7 + 1:06d}.png'
        split = 'test' if (i // 30) % 5 == 0 else 'train'
        has_person = rng.random() > 0.03
        person[key] = dict(
            bbox=np.array([[10., 20., 200., 260.]], np.float32)
            if has_person else np.zeros((0, 4), np.float32),
            bbox_size=(480, 270),
            bbox_mode='xyxy')
        objs = []
        for _ in range(int(rng.integers(1, 5))):
            visible = rng.random() > 0.08
            objs.append({
                'class': classes[int(rng.integers(len(classes)))],
                'bbox': (float(rng.integers(0, 400)),
                         float(rng.integers(0, 200)),
                         float(rng.integers(5, 80)),
                         float(rng.integers(5, 70))) if visible else None,
                'attention_relationship':
                [ATTENTION_PREDICATES[int(rng.integers(3))]]
                if visible else None,
                'spatial_relationship':
                [SPATIAL_PREDICATES[int(rng.integers(6))]]
                if visible else None,
                'contacting_relationship':
                [CONTACTING_PREDICATES[int(rng.integers(17))]]
                if visible else None,
                'metadata': {'tag': key, 'set': split},
                'visible': visible,
            })
        objects[key] = objs
        keys.append(key)
    return person, objects, keys


def parse_args():
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--keys', type=int, default=288782)
    parser.add_argument('--synthetic-videos', type=int, default=50)
    parser.add_argument('--synthetic-size', type=int, default=256)
    return parser.parse_args()


def main():
    """Print both figures."""
    args = parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.keys:
            write_annotations(tmp, *fake_annotations(args.keys))
            for split in ('train', 'test'):
                start = time.perf_counter()
                _, report = load_action_genome(tmp, split, 'sgdet')
                took = time.perf_counter() - start
                print(f'loader: {args.keys} keys, split {split}: '
                      f'{took:.2f} s (pickle loads included)')
                print(format_load_report(report))
        if args.synthetic_videos:
            start = time.perf_counter()
            info = make_synthetic_ag(
                tmp + '/syn',
                args.synthetic_videos,
                10,
                seed=0,
                size=(args.synthetic_size, args.synthetic_size))
            took = time.perf_counter() - start
            print(f"synthetic: {info['frames']} frames at "
                  f'{args.synthetic_size}x{args.synthetic_size} in '
                  f"{took:.2f} s = {info['frames'] / took:.0f} frames/s "
                  '(one process)')


if __name__ == '__main__':
    main()
