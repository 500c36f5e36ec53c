"""Random scene-graph clips for tests (like ``mmdet.testing.
demo_track_inputs``)."""
from typing import List, Sequence, Tuple, Union

import numpy as np
import torch
from mmdet.structures import TrackDataSample
from mmengine.structures import InstanceData

from vost.structures.ag_meta import (
    ATTENTION_PREDICATES,
    CONTACTING_PREDICATES,
    OBJECT_CLASSES,
    PERSON_LABEL,
    SPATIAL_PREDICATES,
)
from vost.structures import SGDataSample

__all__ = ['demo_sg_frame_sample', 'demo_sg_track_inputs']


def _random_boxes(rng: np.random.RandomState, num: int, width: int,
                  height: int) -> np.ndarray:
    """(num, 4) valid XYXY boxes inside a ``width`` x ``height`` image."""
    xy = rng.rand(num, 2) * [width * 0.6, height * 0.6]
    wh = (0.15 + rng.rand(num, 2) * 0.25) * [width, height]
    boxes = np.concatenate([xy, xy + wh], 1)
    boxes[:, 0::2] = boxes[:, 0::2].clip(0, width)
    boxes[:, 1::2] = boxes[:, 1::2].clip(0, height)
    return boxes.astype(np.float32)


def demo_sg_frame_sample(rng: np.random.RandomState,
                         img_shape: Tuple[int, int],
                         num_objects: int,
                         frame_key: str = 'demo.mp4/000001.png',
                         frame_id: int = 0,
                         scale_factor: Tuple[float, float] = (1., 1.),
                         is_key_frame: bool = True,
                         with_gt: bool = True) -> SGDataSample:
    """One frame's :class:`SGDataSample` with random GT per the contract.

    Args:
        rng (np.random.RandomState): Random state.
        img_shape (tuple[int, int]): (h, w) of the input frame.
        num_objects (int): Objects besides the person (0: no pairs).
        frame_key (str): ``video/frame`` key.
        frame_id (int): Index of the frame within the video.
        scale_factor (tuple[float, float]): (w, h) input / original scale.
        is_key_frame (bool): Metainfo flag.
        with_gt (bool): Add ``gt_instances`` and ``gt_pairs``.

    Returns:
        SGDataSample: Instance 0 is the person, pair ``j`` is
        (0, ``j + 1``).
    """
    height, width = img_shape
    ori_shape = (int(round(height / scale_factor[1])),
                 int(round(width / scale_factor[0])))
    sample = SGDataSample(
        metainfo=dict(
            frame_key=frame_key,
            img_path=f'data/demo/frames/{frame_key}',
            video_id=frame_key.split('/')[0],
            frame_id=frame_id,
            ori_shape=ori_shape,
            img_shape=(height, width),
            scale_factor=tuple(scale_factor),
            flip=False,
            flip_direction=None,
            is_key_frame=is_key_frame))
    if not with_gt:
        return sample
    boxes = _random_boxes(rng, num_objects + 1, width, height)
    labels = np.concatenate([[PERSON_LABEL],
                             rng.randint(2, len(OBJECT_CLASSES),
                                         num_objects)])
    sample.gt_instances = InstanceData(
        bboxes=torch.from_numpy(boxes),
        labels=torch.from_numpy(labels).long())
    spatial = rng.rand(num_objects, len(SPATIAL_PREDICATES)) < 0.3
    contacting = rng.rand(num_objects, len(CONTACTING_PREDICATES)) < 0.15
    spatial[np.arange(num_objects),
            rng.randint(0, len(SPATIAL_PREDICATES), num_objects)] = True
    contacting[np.arange(num_objects),
               rng.randint(0, len(CONTACTING_PREDICATES),
                           num_objects)] = True
    pair_inds = np.stack(
        [np.zeros(num_objects), np.arange(1, num_objects + 1)], 1)
    sample.gt_pairs = InstanceData(
        pair_inds=torch.from_numpy(pair_inds).long().reshape(-1, 2),
        attention=torch.from_numpy(
            rng.randint(0, len(ATTENTION_PREDICATES), num_objects)).long(),
        spatial=torch.from_numpy(spatial).float().reshape(
            -1, len(SPATIAL_PREDICATES)),
        contacting=torch.from_numpy(contacting).float().reshape(
            -1, len(CONTACTING_PREDICATES)))
    return sample


def demo_sg_track_inputs(batch_size: int = 2,
                         num_frames: int = 1,
                         key_frame_ind: int = 0,
                         image_shapes: Union[Sequence[int],
                                             List[Sequence[int]]] = (3, 96,
                                                                     128),
                         num_objects: Union[int, List[int], None] = None,
                         scale_factor: Tuple[float, float] = (1., 1.),
                         with_gt: bool = True,
                         seed: int = 0) -> dict:
    """Random clips in the input format of ``mmdet.TrackDataPreprocessor``.

    Args:
        batch_size (int): Number of clips N.
        num_frames (int): Frames per clip T.
        key_frame_ind (int): Position of the key frame in every clip.
        image_shapes (tuple | list[tuple]): (C, H, W), one for all clips
            or one per clip.
        num_objects (int | list[int], optional): Objects per frame besides
            the person, one for all or one per clip; random 1..4 if None.
        scale_factor (tuple[float, float]): (w, h) input / original scale.
        with_gt (bool): Add GT to the frame samples.
        seed (int): Random seed.

    Returns:
        dict: ``inputs`` (list of N uint8 tensors (T, C, H, W)) and
        ``data_samples`` (list of N :class:`TrackDataSample`).
    """
    rng = np.random.RandomState(seed)
    if isinstance(image_shapes[0], int):
        image_shapes = [image_shapes] * batch_size
    if num_objects is None:
        num_objects = [int(rng.randint(1, 5)) for _ in range(batch_size)]
    elif isinstance(num_objects, int):
        num_objects = [num_objects] * batch_size
    inputs, data_samples = [], []
    for n in range(batch_size):
        channels, height, width = image_shapes[n]
        frames, samples = [], []
        for t in range(num_frames):
            frames.append(
                torch.from_numpy(
                    rng.randint(0, 256, (channels, height, width),
                                dtype=np.uint8)))
            samples.append(
                demo_sg_frame_sample(
                    rng, (height, width),
                    num_objects[n],
                    frame_key=f'demo{n}.mp4/{t + 1:06d}.png',
                    frame_id=t,
                    scale_factor=scale_factor,
                    is_key_frame=t == key_frame_ind,
                    with_gt=with_gt))
        track = TrackDataSample()
        track.video_data_samples = samples
        ref_inds = [t for t in range(num_frames) if t != key_frame_ind]
        track.set_metainfo(
            dict(key_frames_inds=[key_frame_ind], ref_frames_inds=ref_inds))
        inputs.append(torch.stack(frames))
        data_samples.append(track)
    return dict(inputs=inputs, data_samples=data_samples)
