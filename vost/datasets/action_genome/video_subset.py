"""Train on a share of the videos (data-efficiency curves).

``video_subset=dict(share=0.1, seed=0)`` (or ``dict(num=50)``) on the
dataset keeps a random subset of its videos, whole videos only (all their
key frames), drawn by ``seed`` from the videos sorted by id, so that a
share's subset is the same for every training seed and nested: the 10 %
subset lies inside the 30 % one of the same ``seed``.
"""
from typing import List, Optional, Tuple

import numpy as np

__all__ = ['select_videos']


def select_videos(data_list: List[dict], subset: Optional[dict],
                  source: str = 'video_subset') -> Tuple[List[dict], dict]:
    """Keep a subset of the videos.

    Args:
        data_list (list[dict]): One dict per video (``video_id`` key).
        subset (dict, optional): ``share`` (0 < share <= 1) or ``num``
            (>= 1), and ``seed`` (default 0). None keeps every video.
        source (str): Name of the option, for errors.

    Returns:
        tuple: The kept videos (in their original order) and a report
        ``dict(kept=, of=, share=, num=, seed=)`` (empty when ``subset`` is
        None).

    Raises:
        ValueError: Unknown keys, both or neither of ``share`` / ``num``, or
            a value out of range.
    """
    if subset is None:
        return data_list, {}
    subset = dict(subset)
    bad = set(subset) - {'share', 'num', 'seed'}
    if bad:
        raise ValueError(f'{source}: unknown keys {sorted(bad)}; use share '
                         'or num, and seed')
    if ('share' in subset) == ('num' in subset):
        raise ValueError(f'{source}: give exactly one of share and num, got '
                         f'{subset}')
    total = len(data_list)
    if 'share' in subset:
        share = float(subset['share'])
        if not 0 < share <= 1:
            raise ValueError(f'{source}.share must be in (0, 1], got {share}')
        num = max(1, int(round(share * total)))
    else:
        num = int(subset['num'])
        if num < 1:
            raise ValueError(f'{source}.num must be >= 1, got {num}')
        num = min(num, total)
    seed = int(subset.get('seed', 0))
    ids = sorted(v['video_id'] for v in data_list)
    order = np.random.default_rng(seed).permutation(len(ids))
    keep = {ids[i] for i in order[:num]}
    kept = [v for v in data_list if v['video_id'] in keep]
    return kept, dict(kept=len(kept), of=total, share=subset.get('share'),
                      num=subset.get('num'), seed=seed)
