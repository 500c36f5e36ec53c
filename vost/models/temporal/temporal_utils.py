"""Helpers of the temporal stage (:class:`TemporalStage`): clip indexing
(with the causal check), reference pair scores and the temporal heads'
initialisation from the spatial heads."""
import copy
import re
from typing import List, Sequence, Tuple

import torch
from torch import Tensor

from vost.models.stage_outputs import PairLogits

__all__ = [
    'clip_frame_index', 'pair_confidence', 'temporal_head_cfg',
    'TemporalHeadFromSpatial'
]


def clip_frame_index(batch_data_samples: Sequence, num_frames: int,
                     causal: bool = False) -> Tuple[Tensor, Tensor]:
    """Flat indices of every clip's key frame and reference frames.

    Frames are flattened clip by clip (``n * T + t``, as in
    ``VOST.flatten_clips``). A clip of one frame (T = 1) uses its key frame
    as its own reference.

    Args:
        batch_data_samples (Sequence[TrackDataSample]): N clips with
            metainfo ``key_frames_inds`` (one entry) and frame samples with
            metainfo ``frame_id`` (needed when ``causal``).
        num_frames (int): Frames per clip T.
        causal (bool): Raise if a reference frame is after its key frame
            (larger ``frame_id``).

    Returns:
        tuple[Tensor, Tensor]: key indices (N,) and reference indices
        (N, max(T - 1, 1)), long.
    """
    key_inds, ref_inds = [], []
    for n, track in enumerate(batch_data_samples):
        keys = track.metainfo.get('key_frames_inds', [0])
        if len(keys) != 1:
            raise ValueError(f'temporal stage: clip {n} needs one key frame, '
                             f'got key_frames_inds={keys}')
        key = int(keys[0])
        refs = [t for t in range(num_frames) if t != key] or [key]
        if causal:
            frames = track.video_data_samples
            key_meta = frames[key].metainfo
            if 'frame_id' not in key_meta:
                raise KeyError(
                    f'temporal stage (causal): clip {n} key frame '
                    f"{key_meta.get('frame_key', '?')} has no 'frame_id' "
                    'metainfo; PackSGInputs must keep it')
            for t in refs:
                meta = frames[t].metainfo
                if int(meta.get('frame_id', -1)) > int(key_meta['frame_id']):
                    raise RuntimeError(
                        'temporal stage (causal): clip {} reads future frame '
                        '{} (frame_id {}) for key frame {} (frame_id {}); '
                        'sample clips with SGClipSample(causal=True)'.format(
                            n, meta.get('frame_key', '?'), meta['frame_id'],
                            key_meta.get('frame_key', '?'),
                            key_meta['frame_id']))
        key_inds.append(n * num_frames + key)
        ref_inds.append([n * num_frames + t for t in refs])
    return torch.as_tensor(key_inds, dtype=torch.long), torch.as_tensor(
        ref_inds, dtype=torch.long)


def pair_confidence(logits: PairLogits, use_class: bool = True) -> Tensor:
    """Confidence of each pair: best object-class probability times best
    predicate probability.

    Args:
        logits (PairLogits): (B, Q, ...) one layer's outputs (its
            ``cls_scores`` (B, Q, 37) with index 0 no-object, ``attention``
            (B, Q, 3) softmax, ``spatial`` (B, Q, 6) and ``contacting``
            (B, Q, 17) sigmoid logits).
        use_class (bool): False in PredCls (classes are given): the class
            factor is 1.

    Returns:
        Tensor: (B, Q) scores in [0, 1].
    """
    pred = torch.cat(
        [logits.attention.softmax(-1),
         logits.spatial.sigmoid(),
         logits.contacting.sigmoid()], -1).max(-1)[0]
    if not use_class:
        return pred
    return logits.cls_scores.softmax(-1)[..., 1:].max(-1)[0] * pred


def temporal_head_cfg(bbox_head: dict, num_layers: int) -> dict:
    """Config of the temporal heads: the spatial head's, one branch set per
    temporal layer.

    Args:
        bbox_head (dict): The spatial head config (``VOSTHead``).
        num_layers (int): Temporal decoder layers.

    Returns:
        dict: A copy with ``num_instance_layers = num_relation_layers =
        num_layers`` and no ``init_cfg``.
    """
    cfg = copy.deepcopy(dict(bbox_head))
    cfg.update(
        num_instance_layers=num_layers,
        num_relation_layers=num_layers,
        init_cfg=None)
    return cfg


_LAYERED = re.compile(r'^(?P<name>\w+_branches)\.(?P<idx>\d+)\.(?P<rest>.+)$')


class TemporalHeadFromSpatial:
    """A ``load_state_dict`` pre-hook giving the temporal heads the
    spatial heads' weights.

    mmengine loads ``load_from`` *after* the model is built and initialised,
    so no ``init_weights`` can see the stage-1 weights. This hook runs
    inside every ``load_state_dict`` of the detector (``load_from``,
    ``load_checkpoint``, tests): when the incoming state dict has spatial
    head weights (``bbox_head.*``) but no temporal head weights
    (``temporal.head.*``), i.e. a stage-1 checkpoint, it adds
    ``temporal.head.*`` entries copied from the spatial head: every layer
    ``i`` of a per-layer branch (``cls_branches``, ``sub_reg_branches``,
    ..., ``contacting_branches``) gets the spatial head's *last* layer of
    that branch; other parameters (e.g. the feature bank) are copied by
    name. A checkpoint that already has temporal weights (stage 2, resume)
    is loaded unchanged.

    Args:
        temporal_keys (Sequence[str]): The temporal head's
            ``state_dict()`` keys.
        spatial_layers (dict[str, int]): Number of layers of each spatial
            branch list, e.g. ``{'cls_branches': 6, ...}``.
        spatial_prefix (str): Spatial head name. Defaults to 'bbox_head.'.
        temporal_prefix (str): Temporal head name. Defaults to
            'temporal.head.'.
    """

    def __init__(self,
                 temporal_keys: Sequence[str],
                 spatial_layers: dict,
                 spatial_prefix: str = 'bbox_head.',
                 temporal_prefix: str = 'temporal.head.') -> None:
        self.temporal_keys = list(temporal_keys)
        self.spatial_layers = dict(spatial_layers)
        self.spatial_prefix = spatial_prefix
        self.temporal_prefix = temporal_prefix
        self.last_copied: List[str] = []

    def source_key(self, key: str) -> str:
        """The spatial head key (without prefix) that temporal ``key``
        copies."""
        match = _LAYERED.match(key)
        if match is None or match['name'] not in self.spatial_layers:
            return key
        last = self.spatial_layers[match['name']] - 1
        return f"{match['name']}.{last}.{match['rest']}"

    def __call__(self, module, state_dict: dict, prefix: str, *args,
                 **kwargs) -> None:
        """Add the temporal head's entries to ``state_dict`` in place
        (the signature of ``nn.Module.register_load_state_dict_pre_hook``).
        """
        spatial = prefix + self.spatial_prefix
        temporal = prefix + self.temporal_prefix
        self.last_copied = []
        if any(k.startswith(temporal) for k in state_dict):
            return
        if not any(k.startswith(spatial) for k in state_dict):
            return
        for key in self.temporal_keys:
            src = spatial + self.source_key(key)
            if src in state_dict:
                state_dict[temporal + key] = state_dict[src].clone()
                self.last_copied.append(key)

    @staticmethod
    def spatial_branch_layers(head) -> dict:
        """``{branch list name: length}`` of a head's per-layer branches."""
        return {
            name: len(module)
            for name, module in head.named_children()
            if name.endswith('_branches')
        }


