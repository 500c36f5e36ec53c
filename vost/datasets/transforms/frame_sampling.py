"""Clip sampling: a key frame plus reference frames of the same video."""
import random
from collections import defaultdict
from typing import Dict, List, Sequence, Tuple, Union

from mmcv.transforms import BaseTransform

from vost.registry import TRANSFORMS

__all__ = ['SGClipSample']


@TRANSFORMS.register_module()
class SGClipSample(BaseTransform):
    """Pick a key frame and reference frames from a video dict.

    Like mmdet's ``UniformRefFrameSample``, but with a causal option and a
    deterministic test mode. Distances are in *annotated* frames (indices
    in ``images``), not raw video frames.

    - Training (``test_mode=False``): ``num_ref_frames`` frames drawn at
      random (without replacement when possible) from the window
      ``[key + frame_range[0], key + frame_range[1]]``, key frame excluded.
    - Test (``test_mode=True``): the nearest frames of the window, nearest
      first (ties: the past first), so every run gives the same clip.
    - ``causal=True`` clips the window to the past (``frame_range[1] = -1``).

    When the window holds fewer frames than ``num_ref_frames`` the
    available ones are repeated; with none (e.g. the first frame of a causal
    clip) the key frame itself is repeated, so every clip has
    ``T = 1 + num_ref_frames`` frames. Frames are returned in temporal
    order.

    Required Keys:

    - images (list[dict]): The video's frames (``frame_info`` dicts).
    - video_length (int)
    - key_frame_id (int, optional): Index of the key frame in ``images``;
      drawn at random when absent (``item_mode='video'``).

    Added Keys (each a list of length T, as ``TransformBroadcaster``
    needs): every key of the frame dicts, the video keys in
    ``collect_video_keys``, ``ori_video_length`` and ``key_frame_flags``
    (True for the key frame), ``is_key_frame`` (the same).

    Args:
        num_ref_frames (int): Reference frames per clip. Defaults to 0.
        frame_range (int | tuple[int, int]): Window around the key frame;
            an int ``r`` means ``(-r, r)``. Defaults to 4.
        causal (bool): Use past frames only. Defaults to False.
        test_mode (bool): Deterministic choice. Defaults to False.
        collect_video_keys (Sequence[str]): Video-level keys copied into
            every frame. Defaults to ``('video_id', 'video_length')``.
    """

    def __init__(self,
                 num_ref_frames: int = 0,
                 frame_range: Union[int, Tuple[int, int]] = 4,
                 causal: bool = False,
                 test_mode: bool = False,
                 collect_video_keys: Sequence[str] = ('video_id',
                                                      'video_length')):
        if num_ref_frames < 0:
            raise ValueError(f'num_ref_frames must be >= 0, got '
                             f'{num_ref_frames}')
        if isinstance(frame_range, int):
            frame_range = (-frame_range, frame_range)
        frame_range = tuple(frame_range)
        if len(frame_range) != 2 or frame_range[0] > frame_range[1]:
            raise ValueError('frame_range must be an int or (low, high) '
                             f'with low <= high, got {frame_range}')
        if causal:
            frame_range = (frame_range[0], min(frame_range[1], -1))
        self.num_ref_frames = num_ref_frames
        self.frame_range = frame_range
        self.causal = causal
        self.test_mode = test_mode
        self.collect_video_keys = list(collect_video_keys)

    def sample_inds(self, video_length: int,
                    key_frame_id: int) -> Tuple[List[int], List[bool]]:
        """Frame indices of the clip and the key-frame flags.

        Args:
            video_length (int): Frames in the video.
            key_frame_id (int): The key frame.

        Returns:
            tuple[list[int], list[bool]]: Sorted indices (the key frame
            once; references may repeat) and flags marking the key frame.
        """
        lo = max(0, key_frame_id + self.frame_range[0])
        hi = min(video_length - 1, key_frame_id + self.frame_range[1])
        window = [i for i in range(lo, hi + 1) if i != key_frame_id]
        n = self.num_ref_frames
        if n == 0:
            refs = []
        elif not window:
            refs = [key_frame_id] * n
        elif self.test_mode:
            near = sorted(window, key=lambda i: (abs(i - key_frame_id), i))
            refs = [near[k % len(near)] for k in range(n)]
        elif len(window) >= n:
            refs = random.sample(window, n)
        else:
            refs = window + [random.choice(window)
                             for _ in range(n - len(window))]
        # The key frame first among equal indices: its flag is unique.
        order = sorted([(key_frame_id, 0)] + [(r, 1) for r in refs])
        inds = [i for i, _ in order]
        flags = [k == 0 for _, k in order]
        return inds, flags

    def transform(self, results: Dict) -> Dict[str, List]:
        """Sample the clip.

        Args:
            results (dict): A video dict (see Required Keys).

        Returns:
            dict: A dict of lists, one entry per clip frame.
        """
        length = results['video_length']
        if 'key_frame_id' in results:
            key = int(results['key_frame_id'])
        elif self.test_mode:
            raise KeyError("SGClipSample(test_mode=True) needs 'key_frame_id'"
                           ' (use the dataset in key_frame item mode)')
        else:
            key = random.randrange(length)
        if not 0 <= key < length:
            raise IndexError(f'key_frame_id {key} out of range for video '
                             f"{results.get('video_id')} of {length} frames")
        inds, flags = self.sample_inds(length, key)
        out = defaultdict(list)
        for ind, flag in zip(inds, flags):
            frame = dict(results['images'][ind])
            for k in self.collect_video_keys:
                if k == 'video_length':
                    frame['ori_video_length'] = results[k]
                    frame['video_length'] = len(inds)
                else:
                    frame[k] = results[k]
            frame['is_key_frame'] = flag
            for k, v in frame.items():
                out[k].append(v)
        out['key_frame_flags'] = flags
        return dict(out)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_ref_frames='
                f'{self.num_ref_frames}, frame_range={self.frame_range}, '
                f'causal={self.causal}, test_mode={self.test_mode})')
