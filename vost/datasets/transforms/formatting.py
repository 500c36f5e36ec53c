"""Pack a clip into model inputs and a ``TrackDataSample`` of frames."""
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmdet.structures import TrackDataSample
from mmdet.structures.bbox import BaseBoxes
from mmengine.structures import InstanceData

from vost.registry import TRANSFORMS
from vost.structures import SGDataSample

__all__ = ['PackSGInputs']


def _to_tensor(x, dtype=None) -> torch.Tensor:
    if isinstance(x, BaseBoxes):
        x = x.tensor
    t = x if isinstance(x, torch.Tensor) else torch.from_numpy(np.asarray(x))
    return t if dtype is None else t.to(dtype)


@TRANSFORMS.register_module()
class PackSGInputs(BaseTransform):
    """Pack a clip (a dict of per-frame lists) for a VOST model.

    Follows mmdet's ``PackTrackInputs``, with one :class:`SGDataSample` per
    frame holding ``gt_instances`` (``bboxes`` float32 (N, 4) XYXY in input
    coordinates, a plain tensor; ``labels`` int64 (N,) AG ids) and
    ``gt_pairs`` (``pair_inds`` int64 (R, 2), ``attention`` int64 (R,),
    ``spatial`` float32 (R, 6), ``contacting`` float32 (R, 17)). All
    instances are kept (ignore flags are not applied) because pairs index
    them.

    Required Keys (lists of length T):

    - img (np.ndarray (H, W, C)), key_frame_flags (bool)
    - gt_bboxes, gt_bboxes_labels, gt_pair_inds, gt_attention, gt_spatial,
      gt_contacting (optional: absent -> empty fields are not added)
    - the ``meta_keys`` that exist

    Added Keys:

    - inputs (torch.Tensor (T, C, H, W) uint8), frames in temporal order.
    - data_samples (TrackDataSample): ``video_data_samples`` (T
      SGDataSample) and metainfo ``key_frames_inds`` / ``ref_frames_inds``.

    Args:
        meta_keys (Sequence[str]): Per-frame metainfo keys to keep.
    """

    def __init__(self,
                 meta_keys: Sequence[str] = (
                     'frame_key', 'img_path', 'video_id', 'frame_id',
                     'frame_number', 'ori_shape', 'img_shape',
                     'scale_factor', 'flip', 'flip_direction', 'is_key_frame',
                     'video_length', 'ori_video_length')) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        """Pack the clip.

        Args:
            results (dict): The clip, a dict of per-frame lists.

        Returns:
            dict: ``inputs`` and ``data_samples``.
        """
        if 'key_frame_flags' not in results:
            raise KeyError("PackSGInputs needs 'key_frame_flags': give the "
                           'dataset a clip_sampler (SGClipSample) or put '
                           'SGClipSample at the start of the pipeline')
        flags = np.asarray(results['key_frame_flags'], bool)
        num = len(flags)
        packed = {}
        if 'img' in results:
            imgs = np.stack(
                [np.ascontiguousarray(im) for im in results['img']])
            if imgs.ndim == 3:
                imgs = imgs[..., None]
            packed['inputs'] = torch.from_numpy(
                np.ascontiguousarray(imgs.transpose(0, 3, 1, 2)))
        samples = []
        for i in range(num):
            sample = SGDataSample()
            if 'gt_bboxes' in results:
                inst = InstanceData()
                inst.bboxes = _to_tensor(results['gt_bboxes'][i],
                                         torch.float32).reshape(-1, 4)
                inst.labels = _to_tensor(results['gt_bboxes_labels'][i],
                                         torch.int64)
                sample.gt_instances = inst
            if 'gt_pair_inds' in results:
                pairs = InstanceData()
                pairs.pair_inds = _to_tensor(results['gt_pair_inds'][i],
                                             torch.int64).reshape(-1, 2)
                pairs.attention = _to_tensor(results['gt_attention'][i],
                                             torch.int64)
                pairs.spatial = _to_tensor(results['gt_spatial'][i],
                                           torch.float32)
                pairs.contacting = _to_tensor(results['gt_contacting'][i],
                                              torch.float32)
                sample.gt_pairs = pairs
            sample.set_metainfo({
                k: results[k][i]
                for k in self.meta_keys if k in results
            })
            samples.append(sample)
        track = TrackDataSample()
        track.video_data_samples = samples
        track.set_metainfo(
            dict(
                key_frames_inds=np.where(flags)[0].tolist(),
                ref_frames_inds=np.where(~flags)[0].tolist()))
        packed['data_samples'] = track
        return packed

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'
