"""Run a config's frozen VLM over its datasets' frames once and cache them.

Usage::

    python tools/extract_vlm_features.py CONFIG [--splits train test]
        [--cache-dir DIR] [--batch-size 32] [--device cuda]
    bash tools/dist_extract_vlm_features.sh CONFIG N [same options]

With N processes (torchrun; one GPU each where there are GPUs) each process
extracts every N-th frame into its own shard; process 0 merges the shards
into the cache when all are complete. An interrupted extraction resumes
when the same command runs again: finished shards and frames are skipped,
a frame being written when the process died is redone
(``vost/models/vlm/sharded_cache.py``).

The VLM settings come from ``model.vlm_encoder`` of CONFIG and the output
directory from its ``cache_dir`` (or ``--cache-dir``). Frames are those of
the datasets of ``train_dataloader``, ``val_dataloader`` and
``test_dataloader`` (after the dataset's own filtering), each frame once.
The layout is documented in ``vost/models/vlm/feature_cache.py`` and
docs/vlm.md.
"""
import argparse
import copy
import os
import os.path as osp
import signal
import sys
import time

import mmcv
import torch
from mmengine.config import Config, DictAction
from mmengine.dist import barrier, get_dist_info, init_dist
from mmengine.utils import ProgressBar
from torch.utils.data import DataLoader, Dataset

from vost.engine import fill_from_model
from vost.models.vlm.sharded_cache import (ShardWriter,
                                           final_cache_is_complete,
                                           merge_shards, shard_dir,
                                           shard_frames)
from vost.registry import DATASETS, MODELS
from vost.utils import register_all_modules, setup_cpu_distributed
from vost.engine.cfg_options import check_cfg_options

SPLITS = dict(
    train='train_dataloader', val='val_dataloader', test='test_dataloader')


def parse_args():
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Extract and cache per-frame VLM features')
    parser.add_argument('config', help='config with model.vlm_encoder')
    parser.add_argument(
        '--splits',
        nargs='+',
        default=['train', 'val', 'test'],
        choices=list(SPLITS),
        help='dataloaders whose datasets are read (missing ones skipped)')
    parser.add_argument(
        '--cache-dir', help='output directory (default: the config\'s '
        'model.vlm_encoder.cache_dir)')
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument(
        '--workers', type=int, default=2, help='frame reading processes')
    parser.add_argument(
        '--device',
        default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument(
        '--dtype', default='float16', choices=['float16', 'float32'])
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch'], default='none',
        help='pytorch: one of the torchrun processes of '
        'tools/dist_extract_vlm_features.sh')
    parser.add_argument(
        '--keep-shards', action='store_true',
        help='keep the per-process shards after merging them')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value')
    return parser.parse_args()


def collect_frames(cfg: Config, splits) -> list:
    """Unique ``(frame_key, img_path)`` of the configured datasets.

    Args:
        cfg (Config): The full config.
        splits (list[str]): Names in :data:`SPLITS`.

    Returns:
        list[tuple[str, str]]: Frames in dataset order, each once.
    """
    frames, seen = [], set()
    for split in splits:
        loader = cfg.get(SPLITS[split])
        if not loader:
            print(f'{split}: no {SPLITS[split]} in the config, skipped')
            continue
        dataset_cfg = copy.deepcopy(loader['dataset'])
        # keep ``data_list`` readable (mmengine serialises it by default)
        dataset_cfg['serialize_data'] = False
        dataset = DATASETS.build(dataset_cfg)
        if hasattr(dataset, 'full_init'):
            dataset.full_init()
        count = 0
        for item in dataset.data_list:
            for frame in item.get('images', [item]):
                for field in ('frame_key', 'img_path'):
                    if field not in frame:
                        raise KeyError(
                            f'{split} dataset item of video '
                            f'{item.get("video_id")!r} has a frame without '
                            f'{field!r}')
                if frame['frame_key'] not in seen:
                    seen.add(frame['frame_key'])
                    frames.append((frame['frame_key'], frame['img_path']))
                    count += 1
        print(f'{split}: {count} new frames')
    return frames


class _FrameReader(Dataset):
    """Read frames as RGB (3, h, w) uint8 tensors, keyed by frame key."""

    def __init__(self, frames: list) -> None:
        self.frames = frames

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, idx: int):
        key, path = self.frames[idx]
        img = mmcv.imread(path, channel_order='rgb')
        if img is None:
            raise FileNotFoundError(f'Frame {key}: cannot read {path}')
        return key, torch.from_numpy(img).permute(2, 0, 1)


def _as_list(batch: list) -> list:
    """Collate frames of different sizes as a list."""
    return batch


def _dist_setup(args):
    """``(rank, world_size, device)``; joins torchrun's process group: gloo
    without CUDA (``setup_cpu_distributed``, as tools/train.py), else
    mmengine's ``init_dist`` (NCCL, one GPU per process)."""
    if args.launcher == 'none':
        return 0, 1, args.device
    if not setup_cpu_distributed(args.launcher):
        init_dist(args.launcher)
    rank, world = get_dist_info()
    device = args.device
    if device.startswith('cuda'):
        device = f'cuda:{torch.cuda.current_device()}'
    return rank, world, device


def _fault_point(rank: int, batches: int) -> None:
    """Test hook: ``VOST_EXTRACT_KILL_AFTER=R:N`` kills process R
    (SIGKILL) after it wrote, and before it marked done, its N-th batch."""
    spec = os.environ.get('VOST_EXTRACT_KILL_AFTER')
    if spec and spec == f'{rank}:{batches}':
        os.kill(os.getpid(), signal.SIGKILL)


def main():
    """Extract this process's shard, then merge the shards."""
    args = parse_args()
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        try:  # refuse options that change nothing, or of the wrong type
            check_cfg_options(cfg, args.cfg_options, args.config)
        except (KeyError, ValueError) as exc:
            sys.exit(f'error: {exc.args[0]}')
        cfg.merge_from_dict(args.cfg_options)
    fill_from_model(cfg)  # task and causal clips: the model states them
    vlm_cfg = cfg.model.get('vlm_encoder')
    if not vlm_cfg:
        raise KeyError(f'{args.config}: model.vlm_encoder is not set; '
                       'nothing to extract')
    vlm_cfg = copy.deepcopy(vlm_cfg)
    cache_dir = args.cache_dir or vlm_cfg.get('cache_dir')
    if not cache_dir:
        raise KeyError(f'{args.config}: model.vlm_encoder.cache_dir is not '
                       'set; pass --cache-dir')
    rank, world, device = _dist_setup(args)
    vlm_cfg['cache_dir'] = None
    encoder = MODELS.build(vlm_cfg).to(device).eval()
    frames = collect_frames(cfg, args.splits)
    keys = [k for k, _ in frames]
    settings = encoder.cache_settings()
    if final_cache_is_complete(cache_dir, keys, settings):
        print(f'{osp.abspath(cache_dir)} already holds these {len(keys)} '
              'frames under these settings: nothing to do')
        return
    mine = shard_frames(frames, rank, world)
    shape = (settings, encoder.embed_dims, encoder.grid_size)
    writer = ShardWriter(shard_dir(cache_dir, rank, world),
                         [k for k, _ in mine], *shape, dtype=args.dtype)
    todo = [mine[i] for i in writer.todo()]
    print(f'process {rank}/{world}: {len(mine)} frames, {writer.resumed} '
          f'done by an earlier run, {len(todo)} to extract'
          + (f' (shard redone: {writer.restarted})'
             if writer.restarted else ''), flush=True)
    loader = DataLoader(
        _FrameReader(todo),
        batch_size=args.batch_size,
        num_workers=args.workers,
        collate_fn=_as_list)
    progress = ProgressBar(len(todo)) if rank == 0 and todo else None
    start = time.time()
    for n, chunk in enumerate(loader, 1):
        with torch.no_grad():
            images = [img.to(device) for _, img in chunk]
            image_embeds, patch_feats = encoder.encode_frames(images)
        writer.write([k for k, _ in chunk], image_embeds.cpu().numpy(),
                     patch_feats.cpu().numpy())
        _fault_point(rank, n)
        writer.commit()
        for _ in chunk if progress else ():
            progress.update()
    writer.close()
    barrier()
    if rank == 0:
        merge_shards(cache_dir, keys, *shape, dtype=args.dtype,
                     world_size=world, keep_shards=args.keep_shards)
        print(f'\nWrote {len(keys)} frames to {osp.abspath(cache_dir)} '
              f'({world} process{"es" if world > 1 else ""}, '
              f'{time.time() - start:.1f} s)')
    barrier()


if __name__ == '__main__':
    main()
