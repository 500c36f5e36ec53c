"""The Action Genome dataset (mmengine ``BaseDataset`` family)."""
import copy
from typing import Any, Optional, Sequence, Union

import numpy as np
from mmengine.dataset import BaseDataset, force_full_init
from mmengine.logging import print_log

from vost.registry import DATASETS, TRANSFORMS

from vost.structures.ag_meta import AG_METAINFO
from vost.ag_format import (AGAnnotationError, format_load_report,
                            load_action_genome)
from .hold_out import held_out_local_ids, hold_out_predicates
from .video_subset import select_videos

__all__ = ['ActionGenomeDataset']


@DATASETS.register_module()
class ActionGenomeDataset(BaseDataset):
    """Action Genome videos, iterated per key frame or per video.

    ``data_list`` holds one dict per kept video, in the format of
    :func:`~vost.datasets.action_genome.load_action_genome` (see
    ``docs/dataset_preparation.md``)::

        {'video_id': '001YG.mp4', 'video_length': F,
         'images': [frame_info, ...]}   # frames in temporal order

    In ``item_mode='key_frame'`` (always in test mode) item ``i`` is one
    annotated frame: the pipeline receives the whole video dict plus
    ``key_frame_id`` (the frame's index in ``images``), and the dataset's
    clip sampler (``clip_sampler``, an
    :class:`~vost.datasets.transforms.SGClipSample` run before the
    pipeline, as mmtracking's ``ref_img_sampler``) picks the reference
    frames. Every kept frame is exactly one item, in
    (video, time) order. In ``item_mode='video'`` (training only) item ``i``
    is video ``i`` and the clip sampler draws a random key frame.

    With ``pipeline=[]`` an item is the plain dict, so tools can read the
    annotations without images.

    Args:
        data_root (str): Folder with ``annotations/`` and ``frames/``.
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        task (str): ``'predcls'``, ``'sgcls'`` or ``'sgdet'`` (decides the
            small-box filter). Defaults to ``'sgdet'``.
        item_mode (str): ``'key_frame'`` or ``'video'``. Defaults to
            ``'key_frame'``.
        split_by_first_object (bool): See ``load_action_genome``.
        require_person (bool): See ``load_action_genome``.
        require_visible_object (bool): See ``load_action_genome``.
        min_frames_per_video (int): See ``load_action_genome``.
        min_box_short_edge (float, optional): See ``load_action_genome``.
        check_frames_exist (bool): Fail (or, with ``on_error='warn'``, skip)
            when a kept frame's image is missing. Defaults to True.
        frames_dir (str): Frame folder in ``data_root``.
        on_error (str): ``'raise'`` or ``'warn'``.
        clip_sampler (dict, optional): Config of the clip-sampling
            transform run first on every item (``type='SGClipSample'``,
            ``num_ref_frames``, ``frame_range``, ``causal``); its
            ``test_mode`` defaults to the dataset's. A temporal config
            changes ``clip_sampler=dict(num_ref_frames=2)`` without
            restating the pipeline. None (default) runs the pipeline on
            the video dict as it is (``pipeline=[]`` then gives the plain
            annotations).
        hold_out_predicates (Sequence[str]): Spatial / contacting
            predicates removed from every relation's labels (training for
            zero-shot evaluation; :mod:`.hold_out`); the count removed is
            logged and kept in ``load_report['held_out']``. Defaults to
            ``()``.
        video_subset (dict, optional): Keep a random share
            (``dict(share=0.1, seed=0)``) or number (``dict(num=50)``) of
            the videos, whole (data-efficiency curves;
            :mod:`.video_subset`); what was kept is logged and stored in
            ``load_report['video_subset']``. Defaults to None (all).
        **kwargs: ``BaseDataset`` arguments (``pipeline``, ``test_mode``,
            ``indices``, ``serialize_data``, ``lazy_init``, ...).
    """

    METAINFO = copy.deepcopy(AG_METAINFO)

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 task: str = 'sgdet',
                 item_mode: str = 'key_frame',
                 *,
                 split_by_first_object: bool = True,
                 require_person: bool = True,
                 require_visible_object: bool = True,
                 min_frames_per_video: int = 3,
                 min_box_short_edge: Optional[float] = 16,
                 check_frames_exist: bool = True,
                 frames_dir: str = 'frames',
                 on_error: str = 'raise',
                 clip_sampler: Optional[dict] = None,
                 hold_out_predicates: Sequence[str] = (),
                 video_subset: Optional[dict] = None,
                 **kwargs: Any) -> None:
        if item_mode not in ('key_frame', 'video'):
            raise ValueError("item_mode must be 'key_frame' or 'video', "
                             f'got {item_mode!r}')
        if item_mode == 'video' and kwargs.get('test_mode', False):
            raise ValueError("item_mode='video' is for training only: in "
                             'test mode every key frame is one item')
        self.split, self.task, self.item_mode = split, task, item_mode
        self.load_cfg = dict(
            split_by_first_object=split_by_first_object,
            require_person=require_person,
            require_visible_object=require_visible_object,
            min_frames_per_video=min_frames_per_video,
            min_box_short_edge=min_box_short_edge,
            check_frames_exist=check_frames_exist,
            frames_dir=frames_dir,
            on_error=on_error)
        self.hold_out = tuple(hold_out_predicates)
        held_out_local_ids(self.hold_out)  # fail early on a bad name
        self.video_subset = None if video_subset is None else dict(
            video_subset)
        select_videos([], self.video_subset)  # fail early on bad keys
        self.load_report: Optional[dict] = None
        self._key_index = np.zeros((0, 2), np.int64)
        super().__init__(data_root=data_root, **kwargs)
        self.clip_sampler = None
        if clip_sampler is not None:
            cfg = dict(clip_sampler)
            cfg.setdefault('test_mode', self.test_mode)
            self.clip_sampler = TRANSFORMS.build(cfg)
            self.pipeline.transforms.insert(0, self.clip_sampler)

    def load_data_list(self) -> list:
        """Parse the annotations with ``load_action_genome``.

        Returns:
            list[dict]: One dict per kept video.
        """
        data_list, report = load_action_genome(self.data_root, self.split,
                                               self.task, **self.load_cfg)
        self.load_report = report
        print_log(format_load_report(report), logger='current')
        if not data_list:  # mmengine would fail later, in a concatenate
            raise AGAnnotationError(
                f'ActionGenomeDataset: the {self.split} split of '
                f'{self.data_root} ({self.task}) is empty after the '
                'filters:\n' + format_load_report(report) + '\nGenerate or '
                'point to a data set with videos in this split (a tiny '
                'synthetic set may put every video in one split)')
        if self.hold_out:
            removed = hold_out_predicates(data_list, self.hold_out)
            report['held_out'] = dict(removed)
            print_log(
                f'held out of the {self.split} labels (zero-shot): '
                + ', '.join(f'{n}={removed[n]}' for n in self.hold_out),
                logger='current')
        if self.video_subset is not None:
            data_list, kept = select_videos(data_list, self.video_subset)
            report['video_subset'] = kept
            print_log(
                f"video_subset: kept {kept['kept']} of {kept['of']} "
                f'{self.split} videos ({self.video_subset})',
                logger='current')
        return data_list

    def full_init(self) -> None:
        """Load, filter, serialise, then index the key frames."""
        if self._fully_initialized:
            return
        super().full_init()
        self._build_key_index()

    def _build_key_index(self) -> None:
        lengths = [
            BaseDataset.get_data_info(self, i)['video_length']
            for i in range(self.num_videos)
        ]
        vids = np.repeat(np.arange(len(lengths)), lengths)
        fids = np.concatenate([np.arange(n) for n in lengths] or
                              [np.zeros(0, np.int64)])
        self._key_index = np.stack([vids, fids], 1).astype(np.int64)

    def get_subset(self, indices: Union[Sequence[int], int]) -> BaseDataset:
        """A subset of the *videos* (mmengine semantics), re-indexed.

        Args:
            indices (Sequence[int] | int): Video indices, or a count.

        Returns:
            ActionGenomeDataset: The subset.
        """
        sub = super().get_subset(indices)
        sub._build_key_index()
        return sub

    @property
    def num_videos(self) -> int:
        """int: Number of kept videos."""
        return BaseDataset.__len__(self)

    @property
    @force_full_init
    def key_frame_index(self) -> np.ndarray:
        """np.ndarray: (num_key_frames, 2) (video index, frame index)."""
        return self._key_index

    @force_full_init
    def __len__(self) -> int:
        """Number of items: key frames, or videos in ``'video'`` mode."""
        if self.item_mode == 'video':
            return self.num_videos
        return len(self._key_index)

    def get_video_info(self, video_idx: int) -> dict:
        """A copy of one video's dict.

        Args:
            video_idx (int): Video index.

        Returns:
            dict: The video dict.
        """
        return BaseDataset.get_data_info(self, video_idx)

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        """The pipeline input of item ``idx``.

        Args:
            idx (int): Item index.

        Returns:
            dict: The video dict; in key-frame mode with ``key_frame_id``
            (index in ``images``), ``key_frame_key`` and the key frame's
            ``width`` and ``height``.
        """
        if self.item_mode == 'video':
            return self.get_video_info(idx)
        vid, fid = self._key_index[idx]
        info = self.get_video_info(int(vid))
        info['key_frame_id'] = int(fid)
        key = info['images'][int(fid)]
        info['key_frame_key'] = key['frame_key']
        # the key frame's size (mmdet's AspectRatioBatchSampler reads it)
        info['width'], info['height'] = key['width'], key['height']
        info['sample_idx'] = idx
        return info
