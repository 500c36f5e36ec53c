"""Speed of the Action Genome data layer.

Two figures:

- ``loader``: ``load_action_genome`` on annotations of real-AG size
  (288,782 keys by default), written once to a temporary folder with the
  real format (person XYXY, objects XYWH, ~3 objects per frame, ~8%
  invisible, a few frames without a person); no frames on disk.
- ``synthetic``: frames per second of ``make_synthetic_ag`` (rendering and
  PNG writing) in this process.

Example::

    python tools/analysis_tools/benchmark.py data --keys 288782 \\
        --synthetic-videos 50

``--keys 0`` or ``--synthetic-videos 0`` skips that figure. With
``--json``, writes the figures (keys in :func:`run`).
"""
import argparse
import json
import tempfile
from typing import Dict, List, Tuple

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
from .timing import timed_call

__all__ = ['add_arguments', 'fake_annotations', 'run']


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of the ``data`` mode.

    Args:
        parser (ArgumentParser): The mode's (sub)parser.
    """
    parser.add_argument('--keys', type=int, default=288782)
    parser.add_argument('--synthetic-videos', type=int, default=50)
    parser.add_argument('--synthetic-size', type=int, default=256)
    parser.add_argument('--json', help='write the figures here')


def fake_annotations(num_keys: int,
                     seed: int = 0) -> Tuple[Dict, Dict, List[str]]:
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


def run(args: argparse.Namespace) -> dict:
    """Time the loader and the synthetic generator; print both figures.

    Args:
        args (Namespace): The parsed options.

    Returns:
        dict: With ``--keys``: ``loader/keys`` and per split
        (``train``, ``test``) ``loader/{split}/s`` and
        ``loader/{split}/report`` (the loader's filter report). With
        ``--synthetic-videos``: ``synthetic/videos``, ``synthetic/frames``,
        ``synthetic/size``, ``synthetic/s`` and
        ``synthetic/frames_per_s``.
    """
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.keys:
            write_annotations(tmp, *fake_annotations(args.keys))
            res['loader/keys'] = args.keys
            for split in ('train', 'test'):
                (_, report), took = timed_call(
                    lambda: load_action_genome(tmp, split, 'sgdet'))
                print(f'loader: {args.keys} keys, split {split}: '
                      f'{took:.2f} s (pickle loads included)')
                print(format_load_report(report))
                res[f'loader/{split}/s'] = took
                res[f'loader/{split}/report'] = report
        if args.synthetic_videos:
            from vost.datasets.synthetic import make_synthetic_ag
            size = args.synthetic_size
            info, took = timed_call(lambda: make_synthetic_ag(
                tmp + '/syn',
                args.synthetic_videos,
                10,
                seed=0,
                size=(size, size)))
            print(f"synthetic: {info['frames']} frames at "
                  f'{size}x{size} in '
                  f"{took:.2f} s = {info['frames'] / took:.0f} frames/s "
                  '(one process)')
            res.update({
                'synthetic/videos': info['videos'],
                'synthetic/frames': info['frames'],
                'synthetic/size': [size, size],
                'synthetic/s': took,
                'synthetic/frames_per_s': info['frames'] / took
            })
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(res, f, indent=2)
    return res
