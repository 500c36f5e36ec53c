"""Run a trained VOST model on new videos (no annotations needed)."""
import copy
import logging
import os
import os.path as osp
from typing import Dict, Iterator, List, Optional, Sequence, Union

import mmcv
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.logging import print_log
from mmengine.runner.checkpoint import (_load_checkpoint,
                                        _load_checkpoint_to_model)

from vost.structures.ag_meta import AG_METAINFO
from vost.registry import MODELS
from vost.utils import register_all_modules
from vost.utils.checkpoint_fit import check_checkpoint_fit

__all__ = [
    'init_sg_model', 'build_inference_pipeline', 'frames_from_input',
    'make_video_dict', 'inference_video'
]

IMG_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp')
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm')
# Transforms that read annotations; a new video has none.
_ANNOTATION_TRANSFORMS = ('LoadSGAnnotations', 'vost.LoadSGAnnotations',
                          'mmdet.LoadAnnotations', 'LoadAnnotations')


def init_sg_model(config: Union[str, Config],
                  checkpoint: Optional[str] = None,
                  device: str = 'cpu',
                  cfg_options: Optional[dict] = None,
                  strict: bool = True) -> torch.nn.Module:
    """Build a VOST model from a config and load a checkpoint.

    Args:
        config (str | Config): Config file or object.
        checkpoint (str, optional): Checkpoint to load (trusted file).
        device (str): ``'cpu'`` or ``'cuda:0'`` etc. Defaults to ``'cpu'``.
        cfg_options (dict, optional): Overrides merged into the config.
        strict (bool): The checkpoint's weights must fit the model
            (:mod:`vost.utils.checkpoint_fit`); False loads what fits and
            warns (the demos' ``--allow-partial-load``). Defaults to True.

    Returns:
        nn.Module: The model in eval mode, with ``model.cfg`` set (the
        config with the model's task and causal switch filled into its
        datasets, :func:`vost.engine.runner.fill_from_model`).

    Raises:
        CheckpointMismatchError: ``strict`` and the checkpoint's weights do
            not fit the model (the message names the first keys and both
            models).
    """
    from vost.engine.runner import fill_from_model
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(config) if isinstance(config, str) else \
        copy.deepcopy(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    # the task and the causal switch, stated in the model, as the runner
    # fills them in (a causal model's clips read the past only)
    fill_from_model(cfg)
    model_cfg = copy.deepcopy(cfg.model)
    # Weights come from the checkpoint: do not fetch pretrained backbones.
    if isinstance(model_cfg.get('backbone'), dict):
        model_cfg.backbone.init_cfg = None
    model = MODELS.build(model_cfg)
    model.dataset_meta = dict(AG_METAINFO)
    if checkpoint is not None:
        ckpt = _load_checkpoint(checkpoint, map_location='cpu')
        check_checkpoint_fit(
            model, ckpt, checkpoint, cfg.model,
            config if isinstance(config, str) else None, strict=strict,
            warn=lambda m: print_log(m, 'current', logging.WARNING))
        _load_checkpoint_to_model(model, ckpt, strict=False)
        meta = ckpt.get('meta', {}) if isinstance(ckpt, dict) else {}
        if meta.get('dataset_meta'):
            model.dataset_meta = meta['dataset_meta']
    model.cfg = cfg
    model.to(device)
    model.eval()
    return model


def build_inference_pipeline(cfg: Config,
                             as_config: bool = False) -> Union[Compose, list]:
    """The config's test clip sampler and pipeline without its
    annotation-loading steps.

    Args:
        cfg (Config): A VOST config with ``test_dataloader`` (the causal
            switch filled in from the model, as :func:`init_sg_model`
            does).
        as_config (bool): Return the transform configs instead.

    Returns:
        Compose | list[dict]: A pipeline mapping a video dict with
        ``key_frame_id`` to packed model inputs.
    """

    def strip(transforms: Sequence[dict]) -> List[dict]:
        out = []
        for t in transforms:
            if t.get('type') in _ANNOTATION_TRANSFORMS:
                continue
            t = copy.deepcopy(t)
            if 'transforms' in t:
                t['transforms'] = strip(t['transforms'])
            out.append(t)
        return out

    dataset = cfg.test_dataloader.dataset
    sampler = dataset.get('clip_sampler')
    sampler = [] if sampler is None else [dict(sampler, test_mode=True)]
    transforms = sampler + strip(dataset.pipeline)
    return transforms if as_config else Compose(transforms)


def frames_from_input(input_path: str, frame_dir: str) -> List[str]:
    """List the frames of a folder, or decode a video file into PNGs.

    Args:
        input_path (str): A video file or a folder of frames (sorted by
            name).
        frame_dir (str): Where decoded frames of a video are written.

    Returns:
        list[str]: Frame paths in temporal order.
    """
    if osp.isdir(input_path):
        frames = sorted(
            osp.join(input_path, f) for f in os.listdir(input_path)
            if f.lower().endswith(IMG_EXTENSIONS))
        if not frames:
            raise FileNotFoundError(
                f'{input_path}: no frames ({", ".join(IMG_EXTENSIONS)})')
        return frames
    if not osp.isfile(input_path):
        raise FileNotFoundError(f'{input_path}: no such video or folder')
    if not input_path.lower().endswith(VIDEO_EXTENSIONS):
        raise ValueError(f'{input_path}: not a video '
                         f'({", ".join(VIDEO_EXTENSIONS)}) or a folder')
    video = mmcv.VideoReader(input_path)
    os.makedirs(frame_dir, exist_ok=True)
    frames = []
    for i, frame in enumerate(video):
        if frame is None:
            break
        path = osp.join(frame_dir, f'{i + 1:06d}.png')
        mmcv.imwrite(frame, path)
        frames.append(path)
    if not frames:
        raise ValueError(f'{input_path}: no frame could be decoded')
    return frames


def make_video_dict(frames: Sequence[str], video_id: str) -> Dict:
    """Build the dataset-style video dict of an unannotated video.

    Args:
        frames (Sequence[str]): Frame paths in temporal order.
        video_id (str): Name of the video (e.g. ``'myvideo.mp4'``).

    Returns:
        dict: ``video_id``, ``video_length`` and ``images`` (one
        ``frame_info`` per frame, without instances or relations).
    """
    from PIL import Image
    images = []
    for i, path in enumerate(frames):
        with Image.open(path) as img:  # reads the header, not the pixels
            w, h = img.size
        images.append(
            dict(
                frame_key=f'{video_id}/{osp.basename(path)}',
                img_path=path,
                video_id=video_id,
                frame_id=i,
                frame_number=i + 1,
                width=w,
                height=h,
                ori_shape=(h, w)))
    return dict(video_id=video_id, video_length=len(images), images=images)


def inference_video(model: torch.nn.Module,
                    video: Dict,
                    batch_size: int = 4,
                    key_frames: Optional[Sequence[int]] = None) -> Iterator:
    """Predict the scene graph of every key frame of a video.

    Args:
        model (nn.Module): A model from :func:`init_sg_model` (SGDet: the
            model sees pixels only).
        video (dict): From :func:`make_video_dict`.
        batch_size (int): Key frames per forward pass. Defaults to 4.
        key_frames (Sequence[int], optional): Frame indices to predict.
            Defaults to every frame.

    Yields:
        SGDataSample: One per key frame, in order, with ``pred_instances``
        (original pixels) and ``pred_pairs``.
    """
    pipeline = build_inference_pipeline(model.cfg)
    if key_frames is None:
        key_frames = range(video['video_length'])
    key_frames = list(key_frames)
    for start in range(0, len(key_frames), batch_size):
        batch = []
        for key in key_frames[start:start + batch_size]:
            # SGClipSample copies the frames it picks and never mutates the
            # video dict, so the (possibly long) video is not copied.
            batch.append(pipeline(dict(video, key_frame_id=key)))
        with torch.no_grad():
            outputs = model.test_step(pseudo_collate(batch))
        yield from outputs
