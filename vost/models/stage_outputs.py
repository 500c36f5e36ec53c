"""The named outputs that VOST's stages hand each other.

.. code:: text

    query generator --PairQueries--> instance / relation decoders
    decoders (every frame) --FrameOutputs--> head, temporal stage
    FrameOutputs.last_states() --PairStates--> temporal pair decoder
    temporal pair decoder --TemporalOutputs--> temporal head
    head --HeadOutputs--> losses, post-processing (HeadOutputs.last())

Every stage takes and returns these by name, so that adding an output is
one field here and the lines that read it.
"""
from dataclasses import dataclass, field, fields
from typing import List, Optional, Sequence

import torch
from torch import Tensor

__all__ = [
    'PairQueries', 'PairStates', 'DecoderOutputs', 'FrameOutputs',
    'TemporalOutputs', 'PairLogits', 'HeadOutputs', 'KeyFrameOutputs',
    'is_shared_vlm_feat'
]


def is_shared_vlm_feat(key: str, value) -> bool:
    """Whether a ``vlm_feats`` entry is shared by all frames (not one row
    per frame): entries named ``text_*`` (the VLM's text embeddings, see
    ``VLMEncoder``) and non-tensors."""
    return key.startswith('text_') or not torch.is_tensor(value)


@dataclass
class PairQueries:
    """A query generator's output, the pair queries of B frames.

    Attributes:
        query (Tensor): (B, Q, C) content queries.
        anchors (Tensor): (B, Q, 8) subject box then object box, each
            (cx, cy, w, h) normalised to [0, 1] by the frame's
            ``img_shape``.
        query_mask (Tensor, optional): (B, Q) bool, True at padded queries
            (GT-pair tasks pad frames to the largest pair count).
        enc_outputs (dict, optional): Encoder-proposal predictions for a
            two-stage generator's own loss.
    """
    query: Tensor
    anchors: Tensor
    query_mask: Optional[Tensor] = None
    enc_outputs: Optional[dict] = None


@dataclass
class PairStates:
    """The last decoder states of a set of pairs per row (the temporal
    pair decoder's key pairs, or each key frame's reference pairs).

    Attributes:
        inst (Tensor): (B, M, C) last instance-decoder states.
        rel (Tensor): (B, M, C) last relation-decoder states.
        anchors (Tensor): (B, M, 8) final pair boxes in [0, 1].
        mask (Tensor, optional): (B, M) bool, True at padded pairs.
    """
    inst: Tensor
    rel: Tensor
    anchors: Tensor
    mask: Optional[Tensor] = None


@dataclass
class DecoderOutputs:
    """Pair decoder states of B frames: what a head reads.

    Attributes:
        inst_hidden (Tensor): (Li, B, Q, C) instance-decoder states.
        references (Tensor): (Li + 1, B, Q, 8) pair boxes in [0, 1];
            ``references[i]`` is layer ``i``'s input, the last the final
            boxes.
        rel_hidden (Tensor): (Lr, B, Q, C) relation-decoder states.
        query_mask (Tensor, optional): (B, Q) bool, True at padding.
    """
    inst_hidden: Tensor
    references: Tensor
    rel_hidden: Tensor
    query_mask: Optional[Tensor] = None

    def last_states(self) -> PairStates:
        """The last layers' states and the final boxes."""
        return PairStates(inst=self.inst_hidden[-1], rel=self.rel_hidden[-1],
                          anchors=self.references[-1], mask=self.query_mask)


#: FrameOutputs fields with a layer dimension before the frame dimension.
_LAYERED = ('inst_hidden', 'references', 'rel_hidden')


@dataclass(kw_only=True)
class FrameOutputs(DecoderOutputs):
    """The spatial stages' outputs of B frames (``forward_frames``).

    Attributes (besides :class:`DecoderOutputs`'):
        memory (Tensor): (B, L, C) encoder output.
        vlm_feats (dict, optional): The VLM encoder's features; ``text_*``
            entries and non-tensors are shared by all frames, the others
            have B rows.
        enc_outputs (dict, optional): The query generator's outputs for its
            loss; kept whole by :meth:`select` (the loss covers every frame
            that ran).
    """
    memory: Tensor
    vlm_feats: Optional[dict] = None
    enc_outputs: Optional[dict] = None

    @property
    def num_frames(self) -> int:
        """B."""
        return self.memory.size(0)

    def _vlm_rows(self, index) -> Optional[dict]:
        """Rows ``index`` of the per-frame ``vlm_feats`` entries."""
        if self.vlm_feats is None:
            return None
        return {
            k: v if is_shared_vlm_feat(k, v) else v[index]
            for k, v in self.vlm_feats.items()
        }

    def select(self, inds: Sequence[int]) -> 'FrameOutputs':
        """The outputs of frames ``inds`` (repeats allowed), in that order;
        ``self`` when ``inds`` is every frame in order."""
        if list(inds) == list(range(self.num_frames)):
            return self
        idx = torch.as_tensor(list(inds), device=self.memory.device)
        return FrameOutputs(
            **{k: getattr(self, k)[:, idx] for k in _LAYERED},
            query_mask=None if self.query_mask is None else
            self.query_mask[idx],
            memory=self.memory[idx],
            vlm_feats=self._vlm_rows(idx),
            enc_outputs=self.enc_outputs)

    def split(self) -> List['FrameOutputs']:
        """One-frame outputs (B = 1 each; no ``enc_outputs``)."""
        out = []
        for i in range(self.num_frames):
            rows = slice(i, i + 1)
            out.append(FrameOutputs(
                **{k: getattr(self, k)[:, rows] for k in _LAYERED},
                query_mask=None if self.query_mask is None else
                self.query_mask[rows],
                memory=self.memory[rows],
                vlm_feats=self._vlm_rows(rows)))
        return out

    @staticmethod
    def cat(items: Sequence['FrameOutputs']) -> Optional['FrameOutputs']:
        """Frames of several outputs in one (inverse of :meth:`split`);
        None when their shapes differ (frames run in different batches can
        differ in padding or GT-pair count). ``enc_outputs`` is None."""
        first = items[0]

        def same(tensors: Sequence[Tensor], dim: int) -> bool:
            """Whether the tensors' shapes agree but in dim ``dim``."""
            shapes = {t.shape[:dim] + t.shape[dim + 1:] for t in tensors}
            return len(shapes) == 1

        for k in _LAYERED:
            if not same([getattr(it, k) for it in items], 1):
                return None
        if not same([it.memory for it in items], 0):
            return None
        masks = [it.query_mask for it in items]
        masked = [m is not None for m in masks]
        if any(masked) != all(masked) or (masked[0] and not same(masks, 0)):
            return None
        vlm = None
        if first.vlm_feats is not None:
            vlm = {}
            for k, v in first.vlm_feats.items():
                rows = [it.vlm_feats[k] for it in items]
                if is_shared_vlm_feat(k, v):
                    vlm[k] = v
                elif not same(rows, 0):
                    return None
                else:
                    vlm[k] = torch.cat(rows)
        return FrameOutputs(
            **{k: torch.cat([getattr(it, k) for it in items], 1)
               for k in _LAYERED},
            query_mask=torch.cat(masks) if masked[0] else None,
            memory=torch.cat([it.memory for it in items]),
            vlm_feats=vlm)


@dataclass(kw_only=True)
class TemporalOutputs(DecoderOutputs):
    """The temporal pair decoder's outputs of N key frames (Lt layers).

    Attributes (besides :class:`DecoderOutputs`'):
        selected (list[Tensor]): Lt (N, k_l) long: the reference pairs each
            layer attended, indices into the clip's reference pairs.
    """
    selected: List[Tensor] = field(default_factory=list)


@dataclass
class PairLogits:
    """One layer's pair outputs: (B, Q, ...) for B frames or (Q, ...) for
    one.

    Attributes:
        cls_scores (Tensor): (..., 37) object-class logits (0: no-object).
        sub_boxes, obj_boxes (Tensor): (..., 4) normalised cxcywh.
        attention (Tensor): (..., 3) logits (softmax).
        spatial (Tensor): (..., 6) logits (sigmoid).
        contacting (Tensor): (..., 17) logits (sigmoid).
    """
    cls_scores: Tensor
    sub_boxes: Tensor
    obj_boxes: Tensor
    attention: Tensor
    spatial: Tensor
    contacting: Tensor

    def frame(self, b: int) -> 'PairLogits':
        """Frame ``b`` of (B, Q, ...) logits."""
        return PairLogits(**{f.name: getattr(self, f.name)[b]
                             for f in fields(self)})


@dataclass
class HeadOutputs:
    """A pair head's outputs on every decoder layer of B frames.

    Attributes:
        cls_scores (Tensor): (Li, B, Q, 37) object-class logits.
        sub_boxes, obj_boxes (Tensor): (Li, B, Q, 4) normalised cxcywh.
        attention (Tensor): (Lr, B, Q, 3) logits.
        spatial (Tensor): (Lr, B, Q, 6) logits.
        contacting (Tensor): (Lr, B, Q, 17) logits.
    """
    cls_scores: Tensor
    sub_boxes: Tensor
    obj_boxes: Tensor
    attention: Tensor
    spatial: Tensor
    contacting: Tensor

    def last(self) -> PairLogits:
        """The last instance and relation layers, (B, Q, ...)."""
        return PairLogits(**{f.name: getattr(self, f.name)[-1]
                             for f in fields(self)})


@dataclass
class KeyFrameOutputs:
    """What the detector's losses and predictions read of N key frames.

    Attributes:
        spatial (FrameOutputs): The spatial stages' outputs.
        temporal (TemporalOutputs, optional): The temporal stage's, with
            one.
    """
    spatial: FrameOutputs
    temporal: Optional[TemporalOutputs] = None
