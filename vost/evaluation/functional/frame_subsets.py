"""Recall on a subset of the GT frames (e.g. occluded or border-cut frames).

A frame subset's recall is the published protocol
(:func:`~.sgg_recall.evaluate_sgg`) on the GT triplets of the subset's
frames only: R@K is the mean over those frames, mR@K sums hits and counts
over their triplets (averaging the predicates present in them). The other
frames are not evaluated; their predictions are read but cannot hit.

A subset is a list of frame keys (``'V0003.mp4/000123.png'``) or the path
of a JSON file holding such a list. Every key must name an evaluated GT
frame (``strict``, the default: an error names the subset and the first
unknown keys); an empty list is allowed (the subset then has no frame,
R@K is NaN). The synthetic world's subsets file
(:mod:`~.world_subsets`) lists frames of every split, so it is read with
``strict=False``: keys that are no evaluated frame are left out and
counted (``'{name}/num_listed_frames_not_evaluated'``), and only a
non-empty list of which no key is evaluated is an error.
"""
import json
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Sequence, Tuple, Union

import numpy as np

from .class_subsets import keep_triplets
from .gt_triplets import GTTriplets

__all__ = [
    'read_frame_list', 'check_frame_keys', 'load_frame_subsets',
    'frame_subset_indices', 'evaluate_frame_subsets'
]


def read_frame_list(path: str, what: str) -> List[str]:
    """Read a JSON file holding a list of frame keys.

    Args:
        path (str): The JSON file.
        what (str): What the list is, for errors.

    Returns:
        list[str]: The keys.

    Raises:
        FileNotFoundError: When the file does not exist.
        ValueError: On invalid JSON or another content (naming the file).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what}: frame list {path} does not exist')
    try:
        with open(path, encoding='utf-8') as f:
            keys = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f'{what}: {path} is not valid JSON ({exc})') \
            from None
    return check_frame_keys(keys, f'{what} ({path})')


def check_frame_keys(keys, what: str) -> List[str]:
    """``keys`` if it is a list of str; a clear error otherwise."""
    if not isinstance(keys, list):
        raise ValueError(f'{what}: expected a list of frame keys, got '
                         f'{type(keys).__name__}')
    bad = next((i for i, k in enumerate(keys) if not isinstance(k, str)),
               None)
    if bad is not None:
        raise ValueError(f'{what}: entry [{bad}] is not a frame key (str): '
                         f'{keys[bad]!r}')
    return list(keys)


def load_frame_subsets(subsets: Dict[str, Union[str, Sequence[str]]]
                       ) -> 'OrderedDict[str, List[str]]':
    """Resolve the ``frame_subsets`` option: JSON paths are read.

    Args:
        subsets (dict): Subset name -> list of frame keys, or the path of
            a JSON file holding one.

    Returns:
        OrderedDict[str, list[str]]: Subset name -> frame keys.

    Raises:
        FileNotFoundError, ValueError: Naming the subset (and file).
    """
    if not isinstance(subsets, dict):
        raise ValueError(f'frame_subsets: expected a dict name -> frame '
                         f'keys or JSON path, got {subsets!r}')
    out = OrderedDict()
    for name, value in subsets.items():
        what = f'frame subset {name!r}'
        if isinstance(value, str):
            out[name] = read_frame_list(value, what)
        elif isinstance(value, tuple):
            out[name] = check_frame_keys(list(value), what)
        else:
            out[name] = check_frame_keys(value, what)
    return out


def frame_subset_indices(gt: GTTriplets, keys: Sequence[str], name: str,
                         strict: bool = True) -> Tuple[np.ndarray, int]:
    """GT frame indices of a subset's keys.

    Args:
        gt (GTTriplets): All GT triplets (the evaluated frames).
        keys (Sequence[str]): The subset's frame keys.
        name (str): The subset, for the error.
        strict (bool): Every key must be an evaluated frame. If False,
            the others are left out and counted; it is then an error only
            when none of a non-empty list is evaluated.

    Returns:
        tuple[np.ndarray, int]: (F',) int64 frame indices, sorted and
        unique; the number of keys left out (0 when strict).

    Raises:
        ValueError: Naming the subset and the first unknown keys.
    """
    index = gt.key_to_index()
    found = [index.get(k, -1) for k in keys]
    unknown = [k for k, i in zip(keys, found) if i < 0]
    if unknown and (strict or len(unknown) == len(keys)):
        none = '' if strict else 'none of its keys is evaluated; '
        raise ValueError(
            f'frame subset {name!r}: {none}{len(unknown)} of {len(keys)} '
            f'key(s) name no evaluated GT frame, first: {unknown[:3]}. '
            'Check the split, the task (SGCls/SGDet GT drops frames whose '
            'objects are all < 16 px) and the dataset filters.')
    kept = np.unique(np.asarray([i for i in found if i >= 0], np.int64))
    return kept, len(unknown)


def evaluate_frame_subsets(gt: GTTriplets, predictions,
                           subsets: Dict[str, Sequence[str]],
                           strict: bool = True,
                           **eval_kwargs) -> 'OrderedDict[str, float]':
    """The metrics of each frame subset, keys prefixed by its name.

    Args:
        gt (GTTriplets): All GT triplets.
        predictions: As :func:`~.sgg_recall.evaluate_sgg` takes them.
        subsets (dict[str, Sequence[str]]): Subset name -> frame keys (see
            :func:`load_frame_subsets` for JSON paths).
        strict (bool): See :func:`frame_subset_indices`. Defaults to True.
        **eval_kwargs: Settings of :func:`~.sgg_recall.evaluate_sgg`
            (``mr_absent_as_zero`` is forced to False).

    Returns:
        OrderedDict: ``'{name}/with/R@20'`` ..., ``'{name}/num_frames'``
        (its evaluated frames), ``'{name}/num_gt_triplets'`` for every
        subset; with ``strict=False`` also
        ``'{name}/num_listed_frames_not_evaluated'``.
    """
    from .sgg_recall import evaluate_sgg
    eval_kwargs = dict(eval_kwargs, mr_absent_as_zero=False)
    out = OrderedDict()
    for name, keys in load_frame_subsets(subsets).items():
        frames, left_out = frame_subset_indices(gt, keys, name, strict)
        sub = keep_triplets(gt, np.isin(gt.frame, frames))
        metrics, _ = evaluate_sgg(sub, predictions, **eval_kwargs)
        for key, value in metrics.items():
            out[f'{name}/{key}'] = value
        if not strict:
            out[f'{name}/num_listed_frames_not_evaluated'] = left_out
    return out
