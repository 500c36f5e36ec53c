"""On-disk cache of per-frame VLM features, read with memory mapping.

``tools/extract_vlm_features.py`` runs the frozen VLM over a dataset's frames
once; :class:`~vost.models.vlm.VLMEncoder` then reads the features by frame
key instead of running its vision tower.

Layout of a cache directory (``N`` frames, ``C`` VLM embedding channels,
``h x w`` pooled patch grid)::

    <cache_dir>/
        meta.json          format version, VLM settings, shapes, dtype,
                           "complete": true once every row is written
        frame_keys.txt     N lines; line i is the frame key of row i
                           ('001YG.mp4/000089.png')
        image_embeds.npy   (N, C) L2-normalised image embeddings
        patch_feats.npy    (N, C, h, w) patch features of the whole,
                           unflipped frame, pooled to the configured grid

Both arrays are ``.npy`` files, loaded with ``np.load(mmap_mode='r')`` so a
training process touches only the rows it reads. The grid of a frame covers
the full original frame (the VLM saw it resized to its own square input
without cropping or padding), so a box in normalised image coordinates maps
to the same grid cells at any resize scale; horizontal flips are applied at
read time by the encoder.

``meta.json["vlm"]`` records the VLM name and every setting that changes the
stored numbers (see :meth:`VLMEncoder.cache_settings`);
:class:`VLMFeatureCache` refuses to open a cache whose settings differ from
the encoder's.
"""
import hashlib
import json
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch
from torch import nn

__all__ = [
    'VLMFeatureCache', 'VLMFeatureCacheWriter', 'CACHE_FORMAT_VERSION',
    'weights_fingerprint'
]

CACHE_FORMAT_VERSION = 1
_META = 'meta.json'
_KEYS = 'frame_keys.txt'
_IMAGE = 'image_embeds.npy'
_PATCH = 'patch_feats.npy'
_FLIP_DIMS = dict(horizontal=(-1, ), vertical=(-2, ), diagonal=(-2, -1))


def weights_fingerprint(module: nn.Module) -> str:
    """A short hash of a module's weights (names, shapes and samples),
    recorded in a cache's settings so a cache of other weights is refused.

    Args:
        module (nn.Module): E.g. the VLM's vision tower.

    Returns:
        str: 16 hex digits.
    """
    sha = hashlib.sha1()
    for name, param in module.state_dict().items():
        flat = param.detach().float().flatten().cpu()
        sample = torch.cat([flat[:32], flat[-32:], flat.sum().view(1)])
        sha.update(name.encode())
        sha.update(str(tuple(param.shape)).encode())
        sha.update(np.round(sample.numpy(), 5).tobytes())
    return sha.hexdigest()[:16]


class VLMFeatureCacheWriter:
    """Write a feature cache row by row.

    Rows are written into memory-mapped ``.npy`` files created up front;
    ``meta.json`` is marked complete only by :meth:`close` after every row
    was written, so an interrupted extraction is never loaded.

    Args:
        cache_dir (str): Output directory (created if missing).
        frame_keys (Sequence[str]): Unique frame keys, one per row.
        settings (dict): The encoder's :meth:`cache_settings`.
        embed_dims (int): ``C``.
        grid_size (tuple[int, int]): ``(h, w)`` of the pooled patch grid.
        dtype (str): Storage dtype, ``'float16'`` (default) or
            ``'float32'``.
    """

    def __init__(self,
                 cache_dir: str,
                 frame_keys: Sequence[str],
                 settings: dict,
                 embed_dims: int,
                 grid_size: Tuple[int, int],
                 dtype: str = 'float16') -> None:
        keys = list(frame_keys)
        if len(keys) == 0:
            raise ValueError(f'No frame keys to cache in {cache_dir}')
        if len(set(keys)) != len(keys):
            dup = sorted({k for k in keys if keys.count(k) > 1})[:5]
            raise ValueError(f'Duplicate frame keys for {cache_dir}: {dup}')
        if any('\n' in k for k in keys):
            raise ValueError('Frame keys must not contain newlines')
        if dtype not in ('float16', 'float32'):
            raise ValueError(f'dtype must be float16 or float32, got {dtype}')
        os.makedirs(cache_dir, exist_ok=True)
        self.cache_dir = cache_dir
        self.row_of = {k: i for i, k in enumerate(keys)}
        self.written = np.zeros(len(keys), dtype=bool)
        self.meta = dict(
            format_version=CACHE_FORMAT_VERSION,
            vlm=settings,
            num_frames=len(keys),
            embed_dims=int(embed_dims),
            grid_size=[int(s) for s in grid_size],
            dtype=dtype,
            complete=False)
        self._write_meta()
        with open(osp.join(cache_dir, _KEYS), 'w', encoding='utf-8') as f:
            f.write('\n'.join(keys) + '\n')
        h, w = self.meta['grid_size']
        self.image_embeds = np.lib.format.open_memmap(
            osp.join(cache_dir, _IMAGE), mode='w+', dtype=dtype,
            shape=(len(keys), embed_dims))
        self.patch_feats = np.lib.format.open_memmap(
            osp.join(cache_dir, _PATCH), mode='w+', dtype=dtype,
            shape=(len(keys), embed_dims, h, w))

    @classmethod
    def reopen(cls, cache_dir: str, frame_keys: Sequence[str],
               written: np.ndarray) -> 'VLMFeatureCacheWriter':
        """Continue writing an existing cache directory in place.

        Args:
            cache_dir (str): A directory this class created.
            frame_keys (Sequence[str]): Its frame keys, in row order (must
                equal ``frame_keys.txt``).
            written (np.ndarray): (N,) bool, the rows already written.

        Raises:
            ValueError: When the keys, the flags or the arrays do not match
                ``meta.json``.
        """
        with open(osp.join(cache_dir, _META), encoding='utf-8') as f:
            meta = json.load(f)
        keys = list(frame_keys)
        with open(osp.join(cache_dir, _KEYS), encoding='utf-8') as f:
            if f.read().splitlines() != keys:
                raise ValueError(f'{cache_dir}: holds other frames')
        if written.shape != (len(keys), ) or written.dtype != bool:
            raise ValueError(f'{cache_dir}: {written.shape} {written.dtype} '
                             f'row flags for {len(keys)} rows')
        self = cls.__new__(cls)
        self.cache_dir, self.meta = cache_dir, meta
        self.row_of = {k: i for i, k in enumerate(keys)}
        self.written = written.copy()
        c, (h, w) = meta['embed_dims'], meta['grid_size']
        self.image_embeds = _reopen_rows(osp.join(cache_dir, _IMAGE),
                                         (len(keys), c), meta['dtype'])
        self.patch_feats = _reopen_rows(osp.join(cache_dir, _PATCH),
                                        (len(keys), c, h, w), meta['dtype'])
        return self

    def _write_meta(self) -> None:
        """Write ``meta.json``."""
        with open(osp.join(self.cache_dir, _META), 'w',
                  encoding='utf-8') as f:
            json.dump(self.meta, f, indent=2, sort_keys=True)

    def write(self, frame_keys: Sequence[str], image_embeds: np.ndarray,
              patch_feats: np.ndarray) -> None:
        """Store the features of some frames.

        Args:
            frame_keys (Sequence[str]): ``n`` keys given at construction.
            image_embeds (np.ndarray): (n, C).
            patch_feats (np.ndarray): (n, C, h, w).
        """
        c = self.meta['embed_dims']
        h, w = self.meta['grid_size']
        n = len(frame_keys)
        if image_embeds.shape != (n, c):
            raise ValueError(f'image_embeds must be {(n, c)}, got '
                             f'{tuple(image_embeds.shape)}')
        if patch_feats.shape != (n, c, h, w):
            raise ValueError(f'patch_feats must be {(n, c, h, w)}, got '
                             f'{tuple(patch_feats.shape)}')
        for i, key in enumerate(frame_keys):
            if key not in self.row_of:
                raise KeyError(f'Frame key {key!r} was not declared when '
                               f'the cache {self.cache_dir} was created')
            row = self.row_of[key]
            self.image_embeds[row] = image_embeds[i]
            self.patch_feats[row] = patch_feats[i]
            self.written[row] = True

    def close(self) -> None:
        """Flush the arrays and mark the cache complete.

        Raises:
            RuntimeError: If some declared frames were never written.
        """
        self.image_embeds.flush()
        self.patch_feats.flush()
        if not self.written.all():
            keys = list(self.row_of)
            missing = [keys[i] for i in np.flatnonzero(~self.written)[:5]]
            raise RuntimeError(
                f'{int((~self.written).sum())} frames of {self.cache_dir} '
                f'were never written (e.g. {missing}); the cache stays '
                'marked incomplete')
        self.meta['complete'] = True
        self._write_meta()


class VLMFeatureCache:
    """Read a feature cache written by :class:`VLMFeatureCacheWriter`.

    Args:
        cache_dir (str): The cache directory.
        settings (dict): The reading encoder's :meth:`cache_settings`;
            every entry must equal the recorded one.

    Raises:
        FileNotFoundError: If the directory or one of its files is missing.
        ValueError: If the cache is incomplete, of another format version,
            or was written under other VLM settings.
    """

    def __init__(self, cache_dir: str, settings: dict) -> None:
        meta_path = osp.join(cache_dir, _META)
        if not osp.isfile(meta_path):
            raise FileNotFoundError(
                f'No VLM feature cache at {cache_dir} ({_META} missing); '
                'create it with tools/extract_vlm_features.py CONFIG or set '
                'cache_dir=None to run the VLM online')
        with open(meta_path, encoding='utf-8') as f:
            meta = json.load(f)
        if meta.get('format_version') != CACHE_FORMAT_VERSION:
            raise ValueError(
                f'{meta_path}: format_version {meta.get("format_version")} '
                f'is not the supported {CACHE_FORMAT_VERSION}; re-extract')
        if not meta.get('complete', False):
            raise ValueError(
                f'{meta_path}: the cache is incomplete (an extraction was '
                'interrupted); rerun tools/extract_vlm_features.py')
        recorded = meta.get('vlm', {})
        diffs = [
            f'{k}: cache has {recorded.get(k)!r}, '
            f'model has {settings.get(k)!r}'
            for k in sorted(set(recorded) | set(settings))
            if _jsonable(recorded.get(k)) != _jsonable(settings.get(k))
        ]
        if diffs:
            raise ValueError(
                f'The VLM feature cache {cache_dir} was written under other '
                'VLM settings and cannot be used with this model:\n  ' +
                '\n  '.join(diffs) + '\nRe-extract it with '
                'tools/extract_vlm_features.py for this config, or point '
                'cache_dir elsewhere.')
        self.cache_dir = cache_dir
        self.meta = meta
        with open(osp.join(cache_dir, _KEYS), encoding='utf-8') as f:
            keys = f.read().splitlines()
        if len(keys) != meta['num_frames']:
            raise ValueError(f'{osp.join(cache_dir, _KEYS)} has {len(keys)} '
                             f'keys, meta.json says {meta["num_frames"]}')
        self.row_of: Dict[str, int] = {k: i for i, k in enumerate(keys)}
        c, (h, w) = meta['embed_dims'], meta['grid_size']
        n = meta['num_frames']
        self.image_embeds = _open_rows(osp.join(cache_dir, _IMAGE), (n, c))
        self.patch_feats = _open_rows(osp.join(cache_dir, _PATCH),
                                      (n, c, h, w))

    def __len__(self) -> int:
        """Number of cached frames."""
        return len(self.row_of)

    def __contains__(self, frame_key: str) -> bool:
        """Whether a frame is cached."""
        return frame_key in self.row_of

    def rows(self, frame_keys: Sequence[str]) -> List[int]:
        """Row indices of frames.

        Raises:
            KeyError: Naming the missing keys and the cache directory.
        """
        missing = [k for k in frame_keys if k not in self.row_of]
        if missing:
            raise KeyError(
                f'{len(missing)} frames are not in the VLM feature cache '
                f'{self.cache_dir} (e.g. {missing[:3]}); extract them with '
                'tools/extract_vlm_features.py or set cache_dir=None')
        return [self.row_of[k] for k in frame_keys]

    def load(self, frame_keys: Sequence[str]) -> Tuple[np.ndarray, np.ndarray]:
        """Read the features of frames (float32 copies).

        Args:
            frame_keys (Sequence[str]): ``n`` frame keys.

        Returns:
            tuple[np.ndarray, np.ndarray]: image embeddings (n, C) and patch
            features (n, C, h, w).
        """
        rows = self.rows(frame_keys)
        image = np.stack([self.image_embeds[r] for r in rows])
        patch = np.stack([self.patch_feats[r] for r in rows])
        return image.astype(np.float32), patch.astype(np.float32)

    def load_for_samples(self, batch_data_samples: Sequence,
                         device=None) -> Tuple[torch.Tensor, torch.Tensor]:
        """The features of the samples' frames, flipped as the samples.

        The cache holds unflipped frames; a sample with ``flip`` metainfo
        gets its patch grid flipped along ``flip_direction``.

        Args:
            batch_data_samples (Sequence[SGDataSample]): ``n`` samples with
                ``frame_key`` (and optional ``flip`` / ``flip_direction``)
                metainfo.
            device (torch.device, optional): Where the tensors go.

        Returns:
            tuple[Tensor, Tensor]: image embeddings (n, C) and patch
            features (n, C, h, w), float32.
        """
        keys = []
        for i, sample in enumerate(batch_data_samples):
            if 'frame_key' not in sample.metainfo:
                raise KeyError(
                    f'Data sample {i} has no metainfo frame_key, needed to '
                    f'read the VLM feature cache {self.cache_dir}')
            keys.append(sample.metainfo['frame_key'])
        image, patch = self.load(keys)
        image = torch.from_numpy(image).to(device)
        patch = torch.from_numpy(patch).to(device)
        for i, sample in enumerate(batch_data_samples):
            if sample.metainfo.get('flip', False):
                direction = sample.metainfo.get('flip_direction',
                                                'horizontal')
                if direction not in _FLIP_DIMS:
                    raise ValueError(
                        f'Frame {keys[i]}: unknown flip_direction '
                        f'{direction!r}')
                patch[i] = patch[i].flip(_FLIP_DIMS[direction])
        return image, patch


def _open_rows(path: str, shape: tuple) -> np.ndarray:
    """Memory-map a cache array, checking it is whole and of ``shape``."""
    fix = ('rebuild the cache with tools/extract_vlm_features.py CONFIG '
           '(or set cache_dir=None to run the VLM online)')
    try:
        array = np.load(path, mmap_mode='r')
    except FileNotFoundError:
        raise FileNotFoundError(f'VLM feature cache file {path} is missing; '
                                f'{fix}') from None
    except (ValueError, OSError, EOFError) as exc:
        raise ValueError(f'VLM feature cache file {path} is truncated or '
                         f'damaged ({exc}); {fix}') from exc
    if tuple(array.shape) != tuple(shape):
        raise ValueError(f'VLM feature cache file {path} holds an array of '
                         f'shape {tuple(array.shape)}, meta.json says '
                         f'{tuple(shape)}; {fix}')
    return array


def _reopen_rows(path: str, shape: tuple, dtype: str) -> np.ndarray:
    """Memory-map a cache array for writing, checking shape and dtype."""
    array = np.load(path, mmap_mode='r+')
    if tuple(array.shape) != tuple(shape) or array.dtype != np.dtype(dtype):
        raise ValueError(f'{path}: shape {array.shape} {array.dtype}, '
                         f'expected {shape} {dtype}')
    return array


def _jsonable(value):
    """Normalise a settings value the way a json round trip would."""
    return json.loads(json.dumps(value))
