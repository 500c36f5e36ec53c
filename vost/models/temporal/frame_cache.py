"""A test-time cache of per-frame spatial outputs across batches.

At test time every annotated frame is a key frame and its clip holds its
neighbours, so a frame is read by several key frames. Within a batch the
detector runs such a frame once (``unique_frame_index``); this cache carries
the outputs of the last frames over to the next batch, so that, with the
test loader in dataset order, every frame of a video runs through the
spatial stages once.
"""
from collections import OrderedDict
from typing import Callable, List, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn

__all__ = [
    'FrameOutputCache', 'select_frame_outputs', 'split_frame_outputs',
    'stack_frame_outputs', 'is_shared_vlm_feat'
]

_LAYERED = ('inst_hidden', 'references', 'rel_hidden')
_PER_FRAME = ('query_mask', 'memory')


def is_shared_vlm_feat(key: str, value) -> bool:
    """Whether a ``vlm_feats`` entry is shared by all frames (not one row
    per frame): entries named ``text_*`` (the VLM's text embeddings, see
    ``VLMEncoder``) and non-tensors."""
    return key.startswith('text_') or not torch.is_tensor(value)


def _select_vlm_feats(vlm_feats: Optional[dict], index) -> Optional[dict]:
    """Rows ``index`` of the per-frame ``vlm_feats`` entries."""
    if vlm_feats is None:
        return None
    return {
        k: v if is_shared_vlm_feat(k, v) else v[index]
        for k, v in vlm_feats.items()
    }


def select_frame_outputs(frame_outs: dict, inds: Sequence[int]) -> dict:
    """Keep frames ``inds`` of ``VOST.forward_frames`` outputs.

    Args:
        frame_outs (dict): ``inst_hidden`` (L, B, ...), ``references``,
            ``rel_hidden``, ``query_mask`` (B, Q) or None, ``memory``
            (B, ...), ``vlm_feats`` (dict or None) and other entries, which
            are kept as they are (e.g. ``enc_outputs``).
        inds (Sequence[int]): Frame indices (repeats allowed).

    Returns:
        dict: The outputs of frames ``inds``, in that order; the input
        itself when ``inds`` is every frame in order.
    """
    num_frames = frame_outs['memory'].size(0)
    if list(inds) == list(range(num_frames)):
        return frame_outs
    idx = torch.as_tensor(list(inds), device=frame_outs['memory'].device)
    out = dict(frame_outs)
    for key in _LAYERED:
        out[key] = frame_outs[key][:, idx]
    for key in _PER_FRAME:
        if frame_outs[key] is not None:
            out[key] = frame_outs[key][idx]
    out['vlm_feats'] = _select_vlm_feats(frame_outs.get('vlm_feats'), idx)
    return out


def split_frame_outputs(frame_outs: dict) -> List[dict]:
    """Per-frame views of ``VOST.forward_frames`` outputs.

    Args:
        frame_outs (dict): ``inst_hidden`` (L, B, ...), ``references``,
            ``rel_hidden``, ``query_mask`` (B, Q) or None, ``memory``
            (B, ...), ``vlm_feats`` (dict or None; ``text_*`` entries are
            shared by all frames).

    Returns:
        list[dict]: B dicts with the frame dimension removed.
    """
    num = frame_outs['memory'].size(0)
    out = []
    for i in range(num):
        item = {k: frame_outs[k][:, i] for k in _LAYERED}
        for k in _PER_FRAME:
            item[k] = None if frame_outs[k] is None else frame_outs[k][i]
        item['vlm_feats'] = _select_vlm_feats(frame_outs.get('vlm_feats'), i)
        out.append(item)
    return out


def stack_frame_outputs(items: Sequence[dict]) -> Optional[dict]:
    """Inverse of :func:`split_frame_outputs`; None when shapes differ.

    Frames computed in different batches can differ in shape (padding of
    the batch, GT-pair counts in PredCls/SGCls); such frames are not
    stacked.
    """
    first = items[0]

    def same(getter) -> bool:
        """Whether ``getter(item)`` has one shape over all items."""
        shapes = {tuple(getter(it).shape) for it in items}
        return len(shapes) == 1

    for k in _LAYERED + ('memory', ):
        if not same(lambda it: it[k]):
            return None
    if (first['query_mask'] is None) != any(it['query_mask'] is None
                                            for it in items) or \
            (first['query_mask'] is not None and
             not same(lambda it: it['query_mask'])):
        return None
    out = {k: torch.stack([it[k] for it in items], 1) for k in _LAYERED}
    out['memory'] = torch.stack([it['memory'] for it in items])
    out['query_mask'] = None if first['query_mask'] is None else \
        torch.stack([it['query_mask'] for it in items])
    out['vlm_feats'] = None
    if first['vlm_feats'] is not None:
        vlm = {}
        for k, v in first['vlm_feats'].items():
            if is_shared_vlm_feat(k, v):
                vlm[k] = v
            else:
                if not same(lambda it: it['vlm_feats'][k]):
                    return None
                vlm[k] = torch.stack([it['vlm_feats'][k] for it in items])
        out['vlm_feats'] = vlm
    out['enc_outputs'] = None
    return out


class FrameOutputCache:
    """LRU cache of per-frame spatial outputs, for inference only.

    A frame's entry is keyed by its metainfo (``frame_key``, ``img_shape``,
    ``batch_input_shape``, ``flip``, ``flip_direction``, ``scale_factor``)
    and guarded by a fingerprint of its input tensor (sum and sum of
    squares in float64), so another augmentation of the same frame is a
    miss. The whole cache is dropped when the model's weights change (any
    in-place update bumps a parameter's version counter: optimizer steps,
    ``load_state_dict``).

    Args:
        max_frames (int): Frames kept (least recently used dropped first);
            at least the frames of one test batch (clips x T).
    """

    def __init__(self, max_frames: int) -> None:
        if max_frames < 1:
            raise ValueError('FrameOutputCache: max_frames must be >= 1, '
                             f'got {max_frames}')
        self.max_frames = max_frames
        self._items: 'OrderedDict[tuple, Tuple[Tensor, dict]]' = \
            OrderedDict()
        self._weights_version: Optional[tuple] = None
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

    @staticmethod
    def weights_version(model: nn.Module) -> tuple:
        """Identity and version counters of the model's parameters."""
        return tuple((id(p), p._version) for p in model.parameters())

    def clear(self) -> None:
        """Drop every entry."""
        self._items.clear()

    def __len__(self) -> int:
        """Number of cached frames."""
        return len(self._items)

    def forward(self, model: nn.Module, forward_frames: Callable,
                frames: Tensor, frame_samples: Sequence) -> dict:
        """``forward_frames(frames, frame_samples)`` with cached frames
        reused.

        Args:
            model (nn.Module): The model whose weights the outputs depend
                on.
            forward_frames (Callable): ``VOST.forward_frames``.
            frames (Tensor): (B, C, H, W) distinct frames.
            frame_samples (Sequence[SGDataSample]): Their samples.

        Returns:
            dict: As ``forward_frames`` (``enc_outputs`` None).
        """
        version = self.weights_version(model)
        if version != self._weights_version:
            self.clear()
            self._weights_version = version
        keys = [self.frame_key(s) for s in frame_samples]
        prints = [self.fingerprint(f) for f in frames]
        items: List[Optional[dict]] = []
        for key, fp in zip(keys, prints):
            hit = self._items.get(key)
            if hit is not None and torch.equal(hit[0], fp):
                self._items.move_to_end(key)
                items.append(hit[1])
            else:
                items.append(None)
        missing = [i for i, it in enumerate(items) if it is None]
        self.hits += len(frames) - len(missing)
        self.misses += len(missing)
        if missing:
            outs = forward_frames(frames[missing],
                                  [frame_samples[i] for i in missing])
            for i, item in zip(missing, split_frame_outputs(outs)):
                items[i] = item
        stacked = stack_frame_outputs(items)
        if stacked is None:  # shapes differ across batches: recompute all
            self.misses += len(frames) - len(missing)
            outs = forward_frames(frames, frame_samples)
            items = split_frame_outputs(outs)
            stacked = stack_frame_outputs(items)
        for key, fp, item in zip(keys, prints, items):
            self._items[key] = (fp, item)
            self._items.move_to_end(key)
        while len(self._items) > self.max_frames:
            self._items.popitem(last=False)
        return stacked
