"""Clips to frames: the detector runs every stage on all frames at once."""
from typing import List, NamedTuple

from mmdet.structures import TrackDataSample
from torch import Tensor

__all__ = ['FlatClips', 'flatten_clips']


class FlatClips(NamedTuple):
    """N clips of T frames as N * T frames.

    Attributes:
        frames (Tensor): (N*T, C, H, W).
        frame_samples (list[SGDataSample]): N*T frame samples.
        key_inds (list[int]): The flat index of each clip's key frame (N).
    """
    frames: Tensor
    frame_samples: list
    key_inds: List[int]


def flatten_clips(batch_inputs: Tensor,
                  batch_data_samples: List[TrackDataSample]
                  ) -> FlatClips:
    """Flatten clips to frames.

    Args:
        batch_inputs (Tensor): (N, T, C, H, W) or (N, C, H, W) (T = 1).
        batch_data_samples (list[TrackDataSample]): N clips.

    Returns:
        FlatClips: ``frames`` (N*T, C, H, W), ``frame_samples`` (N*T) and
        ``key_inds``, the flat index of each clip's key frame (N).
    """
    if batch_inputs.dim() == 4:
        batch_inputs = batch_inputs[:, None]
    num_clips, num_frames = batch_inputs.shape[:2]
    if len(batch_data_samples) != num_clips:
        raise ValueError(f'flatten_clips: {num_clips} clips but '
                         f'{len(batch_data_samples)} data samples')
    frame_samples, key_inds = [], []
    for n, track in enumerate(batch_data_samples):
        frames = track.video_data_samples
        if len(frames) != num_frames:
            raise ValueError(
                f'flatten_clips: clip {n} has {len(frames)} frame samples but '
                f'the input has {num_frames} frames')
        keys = track.metainfo.get('key_frames_inds', [0])
        if len(keys) != 1:
            raise ValueError('flatten_clips: each clip needs exactly one key '
                             f'frame, clip {n} has key_frames_inds='
                             f'{keys}')
        frame_samples.extend(frames)
        key_inds.append(n * num_frames + int(keys[0]))
    return FlatClips(frames=batch_inputs.flatten(0, 1),
                     frame_samples=frame_samples, key_inds=key_inds)
