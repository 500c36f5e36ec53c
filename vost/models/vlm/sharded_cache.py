"""Sharded, resumable extraction of the VLM feature cache.

``tools/extract_vlm_features.py`` (one process) and
``tools/dist_extract_vlm_features.sh CONFIG N`` (N processes, torchrun)
share this code. With ``W`` processes, process ``r`` takes the frames
``r, r + W, r + 2W, ...`` of the global frame list and writes them into
its own shard, a cache directory of the usual layout
(:mod:`~vost.models.vlm.feature_cache`) under
``<cache_dir>/shards/shard-{r:03d}-of-{W:03d}/``, plus ``progress.npy``: a
boolean per row, written atomically after the rows it marks were flushed
to disk. When every shard is complete, process 0 merges them, in the global
frame order, into the cache the encoder reads (``<cache_dir>/meta.json``
marked complete last, with the settings guard as before) and removes the
shards.

Running the same command again resumes:

- a complete final cache with the same settings and frames: nothing to do;
- a shard whose ``meta.json`` names the same settings, frames and dtype
  reopens its arrays and skips the rows ``progress.npy`` marks done; rows
  written after the last mark (a process killed mid-batch) are redone;
- a shard that cannot be read back (no or damaged ``meta.json``,
  ``progress.npy`` or arrays, other settings or frames) is redone from the
  start.

A shard layout is tied to its ``W``: resuming with another number of
processes starts new shards (the old ones are left for that ``W``).
"""
import json
import os
import os.path as osp
import shutil
from typing import List, Sequence, Tuple

import numpy as np

from vost.utils.atomic_io import atomic_write
from .feature_cache import (_META, CACHE_FORMAT_VERSION, VLMFeatureCache,
                            VLMFeatureCacheWriter, _jsonable)

__all__ = ['ShardWriter', 'shard_dir', 'shard_frames', 'merge_shards',
           'final_cache_is_complete', 'SHARDS_DIR']

SHARDS_DIR = 'shards'
_PROGRESS = 'progress.npy'


def shard_dir(cache_dir: str, rank: int, world_size: int) -> str:
    """Folder of process ``rank``'s shard."""
    return osp.join(cache_dir, SHARDS_DIR,
                    f'shard-{rank:03d}-of-{world_size:03d}')


def shard_frames(frames: Sequence, rank: int, world_size: int) -> list:
    """Process ``rank``'s share of the global frame list (every
    ``world_size``-th frame from ``rank``)."""
    if not 0 <= rank < world_size:
        raise ValueError(f'rank {rank} out of range for {world_size} '
                         'processes')
    return list(frames)[rank::world_size]


def _same_meta(meta: dict, settings: dict, num_frames: int, embed_dims: int,
               grid_size, dtype: str) -> bool:
    return (meta.get('format_version') == CACHE_FORMAT_VERSION
            and _jsonable(meta.get('vlm')) == _jsonable(settings)
            and meta.get('num_frames') == num_frames
            and meta.get('embed_dims') == int(embed_dims)
            and list(meta.get('grid_size', [])) == [int(s) for s in grid_size]
            and meta.get('dtype') == dtype)


def final_cache_is_complete(cache_dir: str, frame_keys: Sequence[str],
                            settings: dict) -> bool:
    """Whether ``cache_dir`` already holds a complete cache of these
    frames under these settings."""
    try:
        cache = VLMFeatureCache(cache_dir, settings)
    except (FileNotFoundError, ValueError, OSError):
        return False
    return list(cache.row_of) == list(frame_keys)


class ShardWriter:
    """One process's shard, resumed where a previous run stopped.

    Args:
        folder (str): The shard folder (:func:`shard_dir`).
        frame_keys (Sequence[str]): The shard's frames, one per row.
        settings (dict): The encoder's ``cache_settings()``.
        embed_dims (int): ``C``.
        grid_size (tuple[int, int]): ``(h, w)``.
        dtype (str): ``'float16'`` or ``'float32'``.

    Attributes:
        resumed (int): Rows found done when the shard was opened.
        restarted (str): Why the shard was redone from the start ('' if it
            was resumed or new).
    """

    def __init__(self, folder: str, frame_keys: Sequence[str],
                 settings: dict, embed_dims: int, grid_size: Tuple[int, int],
                 dtype: str = 'float16') -> None:
        self.folder = folder
        self.keys = list(frame_keys)
        self.resumed, self.restarted = 0, ''
        try:
            self._reopen(settings, embed_dims, grid_size, dtype)
        except (FileNotFoundError, ValueError, OSError, KeyError,
                json.JSONDecodeError) as exc:
            if osp.isdir(folder):
                self.restarted = str(exc)
                shutil.rmtree(folder)
            self._writer = VLMFeatureCacheWriter(folder, self.keys, settings,
                                                 embed_dims, grid_size, dtype)
            self._save_progress()

    def _reopen(self, settings, embed_dims, grid_size, dtype) -> None:
        with open(osp.join(self.folder, _META), encoding='utf-8') as f:
            meta = json.load(f)
        if not _same_meta(meta, settings, len(self.keys), embed_dims,
                          grid_size, dtype):
            raise ValueError(f'{self.folder}: written under other settings')
        done = np.load(osp.join(self.folder, _PROGRESS))
        self._writer = VLMFeatureCacheWriter.reopen(self.folder, self.keys,
                                                    done)
        self.resumed = int(done.sum())

    @property
    def complete(self) -> bool:
        """bool: Every row is written and marked."""
        return bool(self._writer.written.all())

    def todo(self) -> List[int]:
        """Indices (into the shard's frames) of the rows still to write."""
        return np.flatnonzero(~self._writer.written).tolist()

    def write(self, frame_keys: Sequence[str], image_embeds: np.ndarray,
              patch_feats: np.ndarray) -> None:
        """Store rows (see :meth:`VLMFeatureCacheWriter.write`); they count
        as done after the next :meth:`commit`."""
        self._writer.write(frame_keys, image_embeds, patch_feats)

    def commit(self) -> None:
        """Flush the arrays, then mark their rows done (atomically)."""
        self._writer.image_embeds.flush()
        self._writer.patch_feats.flush()
        self._save_progress()

    def _save_progress(self) -> None:
        with atomic_write(osp.join(self.folder, _PROGRESS)) as f:
            np.save(f, self._writer.written)

    def close(self) -> None:
        """Commit and mark the shard complete (every row written)."""
        self.commit()
        self._writer.close()


def merge_shards(cache_dir: str, frame_keys: Sequence[str], settings: dict,
                 embed_dims: int, grid_size: Tuple[int, int], dtype: str,
                 world_size: int, keep_shards: bool = False) -> None:
    """Merge the ``world_size`` complete shards into ``cache_dir``.

    Args:
        cache_dir (str): The final cache directory.
        frame_keys (Sequence[str]): The global frame list (row order).
        settings, embed_dims, grid_size, dtype: As :class:`ShardWriter`.
        world_size (int): Number of shards.
        keep_shards (bool): Keep the shard folders. Defaults to False.

    Raises:
        RuntimeError: A shard is missing or incomplete (naming it).
    """
    keys = list(frame_keys)
    shards = []
    for rank in range(world_size):
        folder = shard_dir(cache_dir, rank, world_size)
        try:
            shard = VLMFeatureCache(folder, settings)
        except (FileNotFoundError, ValueError) as exc:
            raise RuntimeError(f'shard {rank} of {world_size} ({folder}) '
                               f'is not complete: {exc}') from exc
        expected = shard_frames(keys, rank, world_size)
        if list(shard.row_of) != expected:
            raise RuntimeError(f'shard {rank} of {world_size} ({folder}) '
                               'holds other frames than this run\'s')
        shards.append(shard)
    # the final files are written in place: mark the cache incomplete
    # first, so an interrupted merge is never read
    meta_path = osp.join(cache_dir, _META)
    if osp.isfile(meta_path):
        os.remove(meta_path)
    writer = VLMFeatureCacheWriter(cache_dir, keys, settings, embed_dims,
                                   grid_size, dtype)
    for rank, shard in enumerate(shards):
        rows = slice(rank, None, world_size)
        writer.image_embeds[rows] = np.asarray(shard.image_embeds)
        writer.patch_feats[rows] = np.asarray(shard.patch_feats)
        writer.written[rows] = True
    writer.close()
    if not keep_shards:
        for rank in range(world_size):
            shutil.rmtree(shard_dir(cache_dir, rank, world_size))
        root = osp.join(cache_dir, SHARDS_DIR)
        if osp.isdir(root) and not os.listdir(root):
            os.rmdir(root)
