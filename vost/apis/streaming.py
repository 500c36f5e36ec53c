"""Run a causal VOST model on a stream, one frame at a time.

A causal model (``model.temporal.decoder.causal=True``, its clip sampler
``SGClipSample(causal=True)``) reads, for the key frame *t*, reference
frames from the window ``[t + frame_range[0], t - 1]`` only. The stream
keeps the frame records of that window and nothing older: each new frame
is the key frame of a clip cut from the window exactly as the offline test
loop cuts it from the whole video (the same nearest-past rule, the same
repetition at the start), so the outputs are those of
``tools/test.py CAUSAL_CONFIG`` on the same frames. The model's own state
is bounded too: the detector's frame cache keeps the spatial outputs of
its last ``frame_cache_size`` frames, so each frame runs the spatial
stages once. A spatial-only model (no clip sampler) keeps no frames.
"""
import copy
import os.path as osp
from collections import deque
from typing import Optional, Union

import numpy as np
import torch
from mmengine.dataset import Compose, pseudo_collate

from vost.registry import TRANSFORMS
from .inference import build_inference_pipeline

__all__ = ['StreamingSGInference']

_FILE_LOADERS = ('mmdet.LoadImageFromFile', 'LoadImageFromFile')


def _array_pipeline(pipeline_cfg: list) -> list:
    """The same transforms, reading the frame from ``results['img']``."""
    out = []
    for t in pipeline_cfg:
        t = copy.deepcopy(t)
        if t.get('type') in _FILE_LOADERS:
            t = dict(type='mmdet.LoadImageFromNDArray',
                     to_float32=t.get('to_float32', False))
        if 'transforms' in t:
            t['transforms'] = _array_pipeline(t['transforms'])
        out.append(t)
    return out


class StreamingSGInference:
    """Scene graphs of a stream, frame by frame, with bounded state.

    Args:
        model (nn.Module): From :func:`~vost.apis.init_sg_model` with a
            causal (or spatial-only) SGDet config.
        video_id (str): Name of the stream in the frame keys. Defaults to
            ``'stream'``.

    Raises:
        ValueError: When the config's clip sampler reads future frames.
    """

    def __init__(self, model: torch.nn.Module,
                 video_id: str = 'stream') -> None:
        self.model = model
        self.video_id = video_id
        dataset = model.cfg.test_dataloader.dataset
        sampler_cfg = dataset.get('clip_sampler')
        window = 0
        if sampler_cfg is not None:
            sampler = TRANSFORMS.build(dict(sampler_cfg, test_mode=True))
            if sampler.num_ref_frames > 0:
                if sampler.frame_range[1] > -1:
                    raise ValueError(
                        'StreamingSGInference needs a causal config: the '
                        'clip sampler reads frames up to '
                        f'{sampler.frame_range[1]} after the key frame '
                        f'({sampler!r}); use a *-causal_* config, e.g. '
                        'configs/vost/vost-spatial-temporal-causal_r18_'
                        '1xb8-1e_synthetic-ag-sgdet.py')
                window = -sampler.frame_range[0]
        #: Past frames a key frame may read (the clip window).
        self.window = window
        self.frames: deque = deque(maxlen=window + 1)
        transforms = build_inference_pipeline(model.cfg, as_config=True)
        self._pipelines = dict(path=Compose(transforms),
                               array=Compose(_array_pipeline(transforms)))
        self.count = 0

    def reset(self, video_id: Optional[str] = None) -> None:
        """Start another stream (drops the window and the frame cache)."""
        self.frames.clear()
        self.count = 0
        if video_id is not None:
            self.video_id = video_id
        cache = getattr(self.model, 'frame_cache', None)
        if cache is not None:
            cache.clear()

    def push(self,
             frame: Union[str, np.ndarray],
             name: Optional[str] = None):
        """Predict the scene graph of the next frame.

        Args:
            frame (str | np.ndarray): An image file, or an (H, W, 3) uint8
                BGR frame (OpenCV's order, as ``cv2.VideoCapture`` gives).
            name (str, optional): Frame file name in the frame key.
                Defaults to the file's name, else ``'{index + 1:06d}.png'``.

        Returns:
            SGDataSample: The frame's prediction (``pred_instances`` in the
            frame's pixels, ``pred_pairs``), metainfo ``frame_id`` = the
            frame's index in the stream.
        """
        index = self.count
        if isinstance(frame, str):
            from PIL import Image
            with Image.open(frame) as img:  # the header only
                w, h = img.size
            info = dict(img_path=frame)
            name = name or osp.basename(frame)
            kind = 'path'
        else:
            frame = np.asarray(frame)
            if frame.ndim != 3 or frame.shape[2] != 3 or \
                    frame.dtype != np.uint8:
                raise ValueError('StreamingSGInference.push: a frame must be '
                                 'an (H, W, 3) uint8 BGR array, got '
                                 f'{frame.dtype} {frame.shape}')
            h, w = frame.shape[:2]
            info = dict(img=frame, img_path=None)
            kind = 'array'
        if self.frames and ('img' in self.frames[0]) != (kind == 'array'):
            raise ValueError('StreamingSGInference.push: a stream is all '
                             'image files or all arrays; reset() first')
        name = name or f'{index + 1:06d}.png'
        info.update(
            frame_key=f'{self.video_id}/{name}',
            video_id=self.video_id,
            frame_id=index,
            frame_number=index + 1,
            width=w,
            height=h,
            ori_shape=(h, w))
        self.frames.append(info)
        video = dict(video_id=self.video_id, video_length=len(self.frames),
                     images=list(self.frames),
                     key_frame_id=len(self.frames) - 1)
        data = self._pipelines[kind](video)
        with torch.no_grad():
            out = self.model.test_step(pseudo_collate([data]))[0]
        self.count += 1
        return out
