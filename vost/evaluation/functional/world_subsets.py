"""The synthetic world's own subsets (occluded frames, motion predicates).

The video world generator (``vost/datasets/synthetic/video/``)
writes, beside the annotations, a JSON file naming the frames and
predicates that test one property of the world::

    {"world": "video",
     "frames": {"occluded": ["V0003.mp4/000123.png", ...],
                "border_cut": [...]},
     "predicates": {"motion": ["wiping", "twisting", "writing_on",
                               "eating", "drinking_from"]},
     "ceiling": {...}}

The metric option ``world_subsets='annotations/synthetic_subsets.json'``
(a path relative to ``data_root``) adds every ``frames`` entry as a frame
subset (:mod:`~.frame_subsets`, read with ``strict=False``: the lists may
name frames of every split) and every ``predicates`` entry as a predicate
subset (:mod:`~.predicate_subsets`). Other top-level keys (``world``,
``ceiling``, ...) are ignored.
"""
import json
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Tuple

from .frame_subsets import check_frame_keys
from .predicate_subsets import predicate_ids

__all__ = ['DEFAULT_WORLD_SUBSETS', 'read_world_subsets']

#: Where the generator writes the file, relative to the data root.
DEFAULT_WORLD_SUBSETS = 'annotations/synthetic_subsets.json'


def _section(content: dict, key: str, path: str) -> Dict[str, list]:
    """``content[key]`` as a dict name -> list (empty when absent)."""
    section = content.get(key, {})
    if not isinstance(section, dict):
        raise ValueError(f'world_subsets {path}: key {key!r} must map '
                         f'subset names to lists, got '
                         f'{type(section).__name__}')
    return section


def read_world_subsets(data_root: str, path: str = DEFAULT_WORLD_SUBSETS
                       ) -> Tuple['OrderedDict[str, List[str]]',
                                  'OrderedDict[str, List[str]]']:
    """Read the world's subsets file.

    Args:
        data_root (str): The data root the path is relative to.
        path (str): The file, relative to ``data_root`` (an absolute path
            is used as is). Defaults to :data:`DEFAULT_WORLD_SUBSETS`.

    Returns:
        tuple[OrderedDict, OrderedDict]: ``frame_subsets`` (name -> frame
        keys) and ``predicate_subsets`` (name -> predicate names), in the
        file's order.

    Raises:
        FileNotFoundError: When the file is missing (naming the path and
            the generator that writes it).
        ValueError: On invalid content, naming the file, key and entry.
    """
    full = osp.join(data_root, path)
    if not osp.isfile(full):
        raise FileNotFoundError(
            f'world_subsets: {full} does not exist. It is written by the '
            'video world generator (vost/datasets/synthetic/video/) '
            'beside the annotations; generate that world into the data root '
            'or leave world_subsets unset (--world-subsets off).')
    try:
        with open(full, encoding='utf-8') as f:
            content = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f'world_subsets {full}: not valid JSON ({exc})') \
            from None
    if not isinstance(content, dict):
        raise ValueError(f'world_subsets {full}: expected a JSON object with '
                         f"'frames' and / or 'predicates', got "
                         f'{type(content).__name__}')
    frames = OrderedDict(
        (name, check_frame_keys(keys, f'world_subsets {full}, key '
                                f"'frames', entry {name!r}"))
        for name, keys in _section(content, 'frames', full).items())
    predicates = OrderedDict()
    for name, names in _section(content, 'predicates', full).items():
        what = f"world_subsets {full}, key 'predicates', entry {name!r}"
        if not isinstance(names, list):
            raise ValueError(f'{what}: expected a list of predicate names, '
                             f'got {names!r}')
        predicate_ids(names, what)
        predicates[name] = list(names)
    if not frames and not predicates:
        raise ValueError(f"world_subsets {full}: holds no 'frames' and no "
                         "'predicates' subset")
    both = sorted(set(frames) & set(predicates))
    if both:
        raise ValueError(f"world_subsets {full}: {both} named in both "
                         "'frames' and 'predicates'")
    return frames, predicates
