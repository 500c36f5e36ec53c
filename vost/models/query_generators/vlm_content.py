"""The *what* source of dual-source pair queries: VLM text embeddings mixed
by a class distribution per query."""
from typing import Optional

import torch
from torch import Tensor

from vost.structures.ag_meta import PERSON_LABEL

__all__ = ['vlm_pair_text']


def vlm_pair_text(vlm_feats: Optional[dict], obj_scores: Optional[Tensor],
                  batch_size: int, num_queries: int, vlm_channels: int,
                  content_mode: str, prior_power: float) -> Tensor:
    """Text features of each pair query: ``[t_person, d_q @ T]``.

    ``T`` (37, Cv) are the object class prompt embeddings and ``d_q`` a
    class distribution: the frame's VLM class prior
    (``class_prior ** prior_power``) times the selected object proposal's
    class scores (``content_mode='proposal_x_prior'``), or the prior alone
    (``'prior'``), renormalised.

    Args:
        vlm_feats (dict, optional): The VLM outputs: ``text_obj`` (37, Cv)
            and ``class_prior`` (B, 37).
        obj_scores (Tensor, optional): (B, Q, 36) sigmoid class scores of
            each query's object proposal (``'proposal_x_prior'`` only).
        batch_size (int): B, checked against the prior.
        num_queries (int): Q.
        vlm_channels (int): Cv the generator was built for.
        content_mode (str): ``'proposal_x_prior'`` or ``'prior'``.
        prior_power (float): Exponent of the prior (0 ignores it).

    Returns:
        Tensor: (B, Q, 2 * Cv) person text and object text, concatenated.
    """
    if vlm_feats is None:
        raise ValueError(
            'DualSourcePairQueryGenerator(use_what=True) needs VLM '
            'features: set model.vlm_encoder, or use_what=False')
    text_obj = vlm_feats['text_obj']  # (37, Cv)
    if text_obj.size(-1) != vlm_channels:
        raise ValueError(
            f'DualSourcePairQueryGenerator.vlm_channels={vlm_channels} but '
            f'the VLM embeddings have {text_obj.size(-1)} channels')
    prior = vlm_feats['class_prior'][:, None]  # (B, 1, 37)
    if len(prior) != batch_size:
        raise ValueError(f'class_prior has {len(prior)} frames, memory '
                         f'{batch_size}')
    prior = prior.clamp(min=1e-8)**prior_power
    if content_mode == 'prior':
        dist = prior.expand(-1, num_queries, -1)
    else:
        dist = torch.cat([obj_scores.new_zeros(*obj_scores.shape[:2], 1),
                          obj_scores], -1) * prior
    dist = dist / dist.sum(-1, keepdim=True).clamp(min=1e-8)
    obj_text = dist @ text_obj  # (B, Q, Cv)
    sub_text = text_obj[PERSON_LABEL].expand_as(obj_text)
    return torch.cat([sub_text, obj_text], -1)
