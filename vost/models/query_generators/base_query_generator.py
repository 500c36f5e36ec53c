"""Interface of the pair-query generators (the "query generation" stage)."""
from abc import ABCMeta, abstractmethod
from typing import List, Optional, Tuple

from mmengine.model import BaseModule
from torch import Tensor

from vost.models.stage_outputs import PairQueries

__all__ = ['BaseQueryGenerator']


class BaseQueryGenerator(BaseModule, metaclass=ABCMeta):
    """Base class of the modules that make the decoder's pair queries.

    A pair query stands for one (person, object) pair. A generator returns
    its *content* (what to attend to) and its *anchors* (where to attend):
    the decoders derive the positional query from the anchors with sine
    embeddings, and the instance decoder refines the anchors layer by layer.

    Call signature (every generator implements it; the detector calls it
    by keyword)::

        generator(memory=..., memory_mask=..., memory_pos=...,
                  spatial_shapes=..., batch_data_samples=..., vlm_feats=...)

    The task is fixed at build time: the detector passes its own ``task``
    to the generator's constructor, and each generator accepts only the
    tasks in its ``tasks`` (:meth:`check_task`).

    Args of ``forward``:
        memory (Tensor): Encoder output, (B, L, C); B is the number of
            frames (clips flattened, N * T).
        memory_mask (Tensor): (B, L) bool, True at padded positions.
        memory_pos (Tensor): (B, L, C) positional embeddings of ``memory``.
        spatial_shapes (Tensor): (num_levels, 2) long, (h, w) of each
            feature level; ``memory`` is the levels flattened in order.
        batch_data_samples (list[SGDataSample]): The B frames' samples
            (metainfo ``img_shape``, ``batch_input_shape``; in GT-pair modes
            also ``gt_instances`` and ``gt_pairs``).
        vlm_feats (dict, optional): Outputs of the detector's optional VLM
            encoder for the B frames (e.g. ``'image_embeds'`` (B, Cv),
            ``'text_obj'`` (37, Cv)); None without a VLM. Generators that do
            not use it must accept and ignore it.

    Returns of ``forward`` (a :class:`~vost.models.stage_outputs.
    PairQueries`):
        - ``query`` (Tensor): (B, Q, C) content queries.
        - ``anchors`` (Tensor): (B, Q, 8) subject box then object box, each
          (cx, cy, w, h) **normalised to [0, 1] by the frame's img_shape**
          (probability space: the decoders apply ``inverse_sigmoid`` to
          refine them).
        - ``query_mask`` (Tensor, optional): (B, Q) bool, True at padded
          queries (GT-pair modes pad frames to the largest pair count).
        - ``enc_outputs`` (dict, optional): encoder-proposal predictions
          for a two-stage generator's own loss (:meth:`loss`).
    """

    #: The tasks the generator serves: SGDet generators make queries from
    #: the frames alone, PredCls/SGCls ones from the GT pairs.
    tasks: Tuple[str, ...] = ('sgdet', )

    def check_task(self, task: str) -> str:
        """Return ``task`` if the generator serves it, else raise."""
        if task not in self.tasks:
            hint = ('GTPairQueryGenerator' if task != 'sgdet' else
                    'an SGDet generator (LearnablePairQueryGenerator, '
                    'DualSourcePairQueryGenerator)')
            raise ValueError(
                f'{type(self).__name__} serves tasks {self.tasks}, not '
                f'{task!r}: use {hint} as model.query_generator')
        return task

    @abstractmethod
    def forward(self,
                memory: Tensor,
                memory_mask: Tensor,
                memory_pos: Tensor,
                spatial_shapes: Tensor,
                batch_data_samples: List,
                vlm_feats: Optional[dict] = None) -> PairQueries:
        """Make the pair queries; see the class docstring."""

    def loss(self, enc_outputs: Optional[dict] = None) -> dict:
        """The generator's own losses (two-stage generators: the set loss
        of their encoder proposals); the detector adds them to the head's.

        Args:
            enc_outputs (dict, optional): ``forward``'s ``enc_outputs``.

        Returns:
            dict[str, Tensor]: Losses; none for one-stage generators.
        """
        return {}
