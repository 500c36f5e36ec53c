"""Frames shared by several clips run once: within a batch
(:func:`unique_frame_index`) and across test batches
(:class:`FrameOutputCache`).

At test time every annotated frame is a key frame and its clip holds its
neighbours, so a frame is read by several key frames. The detector runs
such a frame once per batch, and its cache carries the outputs of the last
frames over to the next batch, so that, with the test loader in dataset
order, every frame of a video runs through the spatial stages once.
"""
from collections import OrderedDict
from typing import List, Optional, Sequence, Tuple

import torch
from torch import Tensor

from vost.models.stage_outputs import FrameOutputs

__all__ = ['FrameOutputCache', 'unique_frame_index']


def unique_frame_index(frames: Tensor,
                       frame_samples: Sequence) -> Tuple[List[int], Tensor]:
    """Find frames that appear in several clips of a batch.

    Two frames are the same when their ``frame_key`` and ``img_shape``
    metainfo are equal *and* their input tensors are equal (so different
    augmentations of one frame are never merged).

    Args:
        frames (Tensor): (B, C, H, W) flattened clip frames.
        frame_samples (Sequence[SGDataSample]): B frame samples.

    Returns:
        tuple[list[int], Tensor]: indices of the unique frames (first
        occurrences, in order) and, for each of the B frames, the position
        of its unique frame in that list ((B,) long).
    """
    firsts: dict = {}
    uniq: List[int] = []
    inverse = []
    for i, sample in enumerate(frame_samples):
        meta = sample.metainfo
        key = (meta.get('frame_key'), tuple(meta.get('img_shape', ())))
        pos = None
        if key[0] is not None:
            for j in firsts.get(key, []):
                if torch.equal(frames[uniq[j]], frames[i]):
                    pos = j
                    break
        if pos is None:
            pos = len(uniq)
            uniq.append(i)
            firsts.setdefault(key, []).append(pos)
        inverse.append(pos)
    return uniq, torch.as_tensor(inverse, dtype=torch.long)


class FrameOutputCache:
    """LRU store of one-frame spatial outputs, for inference only.

    A frame's entry is keyed by its metainfo (``frame_key``, ``img_shape``,
    ``batch_input_shape``, ``flip``, ``flip_direction``, ``scale_factor``)
    and guarded by a fingerprint of its input tensor (sum and sum of
    squares in float64), so another augmentation of the same frame is a
    miss. The entries are only valid for the weights they were computed
    with: the detector clears the cache when it switches between training
    and evaluation and after every ``load_state_dict``; code that edits
    weights in place in evaluation mode calls :meth:`clear`.

    Args:
        max_frames (int): Frames kept (least recently used dropped first);
            at least the frames of one test batch (clips x T).
    """

    def __init__(self, max_frames: int) -> None:
        if max_frames < 1:
            raise ValueError('FrameOutputCache: max_frames must be >= 1, '
                             f'got {max_frames}')
        self.max_frames = max_frames
        self._items: 'OrderedDict[tuple, Tuple[Tensor, FrameOutputs]]' = \
            OrderedDict()
        self.hits = self.misses = 0

    @staticmethod
    def frame_key(sample) -> tuple:
        """Cache key of one frame sample."""
        meta = sample.metainfo

        def plain(v):
            """Lists as tuples (hashable)."""
            return tuple(v) if isinstance(v, (list, tuple)) else v

        return tuple(
            plain(meta.get(k))
            for k in ('frame_key', 'img_shape', 'batch_input_shape', 'flip',
                      'flip_direction', 'scale_factor'))

    @staticmethod
    def fingerprint(frame: Tensor) -> Tensor:
        """(2,) float64 sum and sum of squares of a frame tensor."""
        x = frame.detach().double()
        return torch.stack([x.sum(), (x * x).sum()])

    def clear(self) -> None:
        """Drop every entry."""
        self._items.clear()

    def __len__(self) -> int:
        """Number of cached frames."""
        return len(self._items)

    def lookup(self, frames: Tensor,
               frame_samples: Sequence) -> List[Optional[FrameOutputs]]:
        """The cached one-frame outputs of each frame, None for a miss
        (counted in ``hits`` / ``misses``).

        Args:
            frames (Tensor): (B, C, H, W) distinct frames.
            frame_samples (Sequence[SGDataSample]): Their samples.

        Returns:
            list[FrameOutputs | None]: B entries.
        """
        items: List[Optional[FrameOutputs]] = []
        for sample, frame in zip(frame_samples, frames):
            key = self.frame_key(sample)
            hit = self._items.get(key)
            if hit is not None and torch.equal(hit[0],
                                               self.fingerprint(frame)):
                self._items.move_to_end(key)
                items.append(hit[1])
            else:
                items.append(None)
        num_hits = sum(it is not None for it in items)
        self.hits += num_hits
        self.misses += len(items) - num_hits
        return items

    def store(self, frames: Tensor, frame_samples: Sequence,
              items: Sequence[FrameOutputs]) -> None:
        """Keep the one-frame outputs ``items`` of ``frames`` (most recent
        last), dropping the least recently used beyond ``max_frames``."""
        for sample, frame, item in zip(frame_samples, frames, items):
            key = self.frame_key(sample)
            self._items[key] = (self.fingerprint(frame), item)
            self._items.move_to_end(key)
        while len(self._items) > self.max_frames:
            self._items.popitem(last=False)
