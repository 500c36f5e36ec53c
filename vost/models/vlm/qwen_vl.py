"""The Qwen2.5-VL family of :class:`~vost.models.vlm.VLMEncoder`.

Qwen2.5-VL is a generative VLM (a ViT whose 2x2-merged patch tokens are
fed into a causal language model), not a contrastive dual encoder; the
encoder outputs are derived from it as follows (docs/vlm.md, "Qwen2.5-VL";
every rule is our choice):

- **Vision tokens.** The frame, stretched to ``S x S`` (``S`` a multiple of
  ``patch_size * spatial_merge_size = 28``) and normalised with the
  checkpoint's mean/std, is patchified in torch exactly as
  ``Qwen2VLImageProcessor`` does (the single frame repeated over
  ``temporal_patch_size = 2``; pixel rows ordered by merge block) with
  ``grid_thw = [1, S / 14, S / 14]``. The tokens after the patch merger
  (width = the language model's hidden size) come back from
  ``model.visual`` in row-major order of the ``(S / 28, S / 28)`` grid
  (the merger's window permutation is undone inside ``model.visual``).
- **Text embeddings**: a pooling of the language model's final
  (post-norm) hidden states over a prompt's tokens: ``'mean'`` (masked
  mean), ``'last'`` (the last token); or ``'embed_mean'``, the mean of the
  prompt's input token embeddings (the space the merged vision tokens are
  fed in).
- **Yes-probability prior**: the next-token probability of "Yes" against
  "No" after the chat prompt "Is there a {obj} in the image?" with the
  frame (:func:`qwen_yes_probability`).
"""
from typing import List, Sequence, Tuple

import torch
from torch import Tensor

from vost.structures.ag_meta import OBJECT_CLASSES

from .prompts import object_phrase

__all__ = [
    'QWEN_FAMILY', 'QWEN_PRIOR_SCALE', 'QWEN_PRIOR_QUESTION',
    'TEXT_POOLINGS', 'QWEN_PRIORS', 'qwen_patchify', 'qwen_merged_tokens',
    'qwen_text_features', 'qwen_answer_ids', 'qwen_prior_ids',
    'qwen_yes_probability', 'check_qwen_switches', 'QwenYesPrior'
]

#: ``config.model_type`` of the family.
QWEN_FAMILY = 'qwen2_5_vl'
#: Default class-prior scale (Qwen has no ``logit_scale``): CLIP's trained
#: temperature (inferred).
QWEN_PRIOR_SCALE = 100.0
#: Default question of the yes-probability prior (``{obj}``: the class).
QWEN_PRIOR_QUESTION = 'Is there a {obj} in the image?'
TEXT_POOLINGS = ('mean', 'last', 'embed_mean')
QWEN_PRIORS = ('similarity', 'yes_probability')
_YES_WORDS = ('Yes', 'yes')
_NO_WORDS = ('No', 'no')
_IMAGE = '<|vision_start|><|image_pad|><|vision_end|>'


def qwen_patchify(pixels: Tensor, patch_size: int, temporal_patch_size: int,
                  merge_size: int) -> Tuple[Tensor, Tensor]:
    """Flatten frames into Qwen2-VL patch rows (``Qwen2VLImageProcessor``).

    Args:
        pixels (Tensor): (n, C, H, W) normalised frames; ``H`` and ``W``
            multiples of ``patch_size * merge_size``.
        patch_size (int): ``p`` (14).
        temporal_patch_size (int): ``tp`` (2): each frame is repeated.
        merge_size (int): ``m`` (2).

    Returns:
        tuple[Tensor, Tensor]: ``pixel_values`` (n * gh * gw, C * tp * p *
        p), rows of each frame in the order (gh / m, gw / m, m, m), and
        ``grid_thw`` (n, 3) of rows ``[1, gh, gw]`` (``gh = H / p``).
    """
    n, c, h, w = pixels.shape
    p, m, tp = patch_size, merge_size, temporal_patch_size
    if h % (p * m) or w % (p * m):
        raise ValueError(f'Qwen input {h}x{w} is not a multiple of '
                         f'{p * m} (patch {p} x merge {m})')
    gh, gw = h // p, w // p
    x = pixels[:, None].expand(n, tp, c, h, w)
    x = x.reshape(n, tp, c, gh // m, m, p, gw // m, m, p)
    x = x.permute(0, 3, 6, 4, 7, 2, 1, 5, 8)
    pixel_values = x.reshape(n * gh * gw, c * tp * p * p)
    grid_thw = torch.tensor([[1, gh, gw]] * n, device=pixels.device)
    return pixel_values, grid_thw


def qwen_merged_tokens(vlm, pixels: Tensor) -> Tensor:
    """Merged vision tokens of frames, on their grid.

    All frames go through ``model.visual`` in one call, each with its own
    ``grid_thw`` row (attention never crosses frames).

    Args:
        vlm: A ``Qwen2_5_VLForConditionalGeneration``.
        pixels (Tensor): (n, 3, S, S) normalised frames.

    Returns:
        Tensor: (n, (S / 28) ** 2, D) tokens (dtype of ``pixels``; the
        tower runs in its weights' dtype), row-major over the
        (S / 28, S / 28) grid (token ``i * S / 28 + j`` covers pixel rows
        ``28 i .. 28 i + 27`` and columns ``28 j .. 28 j + 27``).
    """
    vcfg = vlm.config.vision_config
    visual = vlm.visual
    pixel_values, grid_thw = qwen_patchify(
        pixels.to(visual.dtype), int(vcfg.patch_size),
        int(vcfg.temporal_patch_size), int(vcfg.spatial_merge_size))
    tokens = visual(pixel_values, grid_thw=grid_thw)
    return tokens.to(pixels.dtype).view(len(pixels), -1, tokens.shape[-1])


def _lm(vlm):
    """The language model (``vlm.model`` in transformers 4.51; later
    versions name it ``language_model``)."""
    return vlm.language_model if hasattr(vlm, 'language_model') else vlm.model


def _positions(mask: Tensor, start=0) -> Tensor:
    """Text M-RoPE positions (3, B, L) of a 2D mask, from ``start``."""
    pos = (mask.long().cumsum(-1) - 1).clamp(min=0) + start
    return pos[None].expand(3, -1, -1)


def qwen_text_features(vlm, tokenizer, prompts: List[str],
                       pooling: str = 'mean') -> Tensor:
    """Pooled language-model states of prompts (no chat format).

    Args:
        vlm: A ``Qwen2_5_VLForConditionalGeneration``.
        tokenizer: Its tokenizer.
        prompts (list[str]): ``K`` prompts.
        pooling (str): ``'mean'``: masked mean of the final hidden states
            (after the last norm) over the prompt's tokens; ``'last'``: the
            final hidden state of its last token; ``'embed_mean'``: masked
            mean of its input token embeddings.

    Returns:
        Tensor: (K, D) float32, not normalised.
    """
    if pooling not in TEXT_POOLINGS:
        raise ValueError(f'text_pooling must be one of {TEXT_POOLINGS}, '
                         f'got {pooling!r}')
    lm = _lm(vlm)
    device = lm.embed_tokens.weight.device
    tokens = tokenizer(prompts, padding=True, return_tensors='pt')
    ids = tokens['input_ids'].to(device)
    mask = tokens['attention_mask'].to(device)
    if pooling == 'embed_mean':
        states = lm.embed_tokens(ids).float()
    else:
        states = lm(
            input_ids=ids, attention_mask=mask,
            position_ids=_positions(mask),
            use_cache=False).last_hidden_state.float()
    if pooling == 'last':
        last = mask.shape[1] - 1 - mask.flip(-1).argmax(-1)
        return states[torch.arange(len(ids), device=device), last]
    weights = mask.float()[..., None]
    return (states * weights).sum(1) / weights.sum(1)


def qwen_answer_ids(tokenizer) -> Tuple[List[int], List[int]]:
    """Token ids of the answers "Yes"/"yes" and "No"/"no".

    Args:
        tokenizer: The Qwen tokenizer.

    Returns:
        tuple[list[int], list[int]]: The yes and no ids (each word that
        the tokenizer writes as one token).
    """
    out = []
    for words in (_YES_WORDS, _NO_WORDS):
        ids = [tokenizer.encode(w, add_special_tokens=False) for w in words]
        ids = sorted({i[0] for i in ids if len(i) == 1})
        if not ids:
            raise ValueError(f'The tokenizer writes none of {words} as one '
                             'token: yes_probability needs them')
        out.append(ids)
    return out[0], out[1]


def _chat_text(tokenizer, question: str) -> str:
    """The user turn with an image and ``question``, then the assistant
    prompt: the tokenizer's chat template when it has one, else the
    Qwen2-VL format written out (inferred)."""
    if getattr(tokenizer, 'chat_template', None):
        messages = [dict(role='user', content=[
            dict(type='image'), dict(type='text', text=question)])]
        return tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True)
    return ('<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n'
            f'<|im_start|>user\n{_IMAGE}{question}<|im_end|>\n'
            '<|im_start|>assistant\n')


def qwen_prior_ids(tokenizer, config, questions: Sequence[str],
                   num_image_tokens: int) -> Tuple[List[int], List[List[int]]]:
    """Token ids of the yes-probability prompts, split into a shared prefix
    (up to and past the image) and per-question suffixes.

    Args:
        tokenizer: The Qwen tokenizer.
        config: The model config (``image_token_id``).
        questions (Sequence[str]): ``K`` questions.
        num_image_tokens (int): Merged vision tokens per frame; the one
            ``<|image_pad|>`` of the chat text is repeated this often.

    Returns:
        tuple: ``prefix`` (P ids, the longest prefix shared by all ``K``
        prompts, leaving every suffix one token at least) and ``K`` suffix
        id lists.
    """
    image_id = int(config.image_token_id)
    seqs = []
    for question in questions:
        text = _chat_text(tokenizer, question)
        ids = tokenizer(text, add_special_tokens=False)['input_ids']
        if ids.count(image_id) != 1:
            raise ValueError('The chat prompt must hold one <|image_pad|> '
                             f'(id {image_id}): {text!r}')
        at = ids.index(image_id)
        seqs.append(ids[:at] + [image_id] * num_image_tokens + ids[at + 1:])
    common = min(len(s) for s in seqs) - 1
    for i in range(common):
        if any(s[i] != seqs[0][i] for s in seqs):
            common = i
            break
    if image_id in seqs[0][common:]:
        raise ValueError('The prior questions must follow the image in the '
                         'chat prompt')
    return seqs[0][:common], [s[common:] for s in seqs]


@torch.no_grad()
def qwen_yes_probability(vlm, tokens: Tensor, grid: Tuple[int, int],
                         prefix: List[int], suffixes: List[List[int]],
                         yes_ids: List[int], no_ids: List[int]) -> Tensor:
    """P("yes") / (P("yes") + P("no")) of each frame and question.

    Per frame, the shared prefix (chat start and the frame's merged vision
    tokens at the ``<|image_pad|>`` positions, M-RoPE positions of
    ``get_rope_index``) runs once; its ``past_key_values`` are repeated for
    the ``K`` question suffixes, which run as one left-padded batch. The
    answer probabilities are the next-token softmax after each suffix,
    summed over the "Yes"/"yes" and "No"/"no" tokens.

    Args:
        vlm: A ``Qwen2_5_VLForConditionalGeneration``.
        tokens (Tensor): (n, N, D) merged vision tokens
            (:func:`qwen_merged_tokens`).
        grid (tuple[int, int]): Merged grid ``(h, w)``, ``h * w = N``.
        prefix (list[int]): Shared ids (:func:`qwen_prior_ids`).
        suffixes (list[list[int]]): ``K`` suffix id lists.
        yes_ids (list[int]): Token ids of the yes answer.
        no_ids (list[int]): Token ids of the no answer.

    Returns:
        Tensor: (n, K) float32 in (0, 1).
    """
    from transformers import DynamicCache
    lm, cfg = _lm(vlm), vlm.config
    device, dtype = lm.embed_tokens.weight.device, lm.embed_tokens.weight.dtype
    merge = int(cfg.vision_config.spatial_merge_size)
    pre = torch.tensor([prefix], device=device)
    image_mask = pre[0] == cfg.image_token_id
    grid_thw = torch.tensor([[1, grid[0] * merge, grid[1] * merge]],
                            device=device)
    if int(image_mask.sum()) != tokens.shape[1]:
        raise ValueError(f'{int(image_mask.sum())} image tokens in the '
                         f'prompt, {tokens.shape[1]} vision tokens')
    rope_index = (getattr(vlm, 'get_rope_index', None)
                  or vlm.model.get_rope_index)
    pre_pos, _ = rope_index(pre, grid_thw, None, None, None)
    start = pre_pos.max() + 1
    k, length = len(suffixes), max(len(s) for s in suffixes)
    pad = cfg.pad_token_id if cfg.pad_token_id is not None else 0
    suf = torch.full((k, length), pad, dtype=torch.long, device=device)
    suf_mask = torch.zeros(k, length, dtype=torch.long, device=device)
    for i, ids in enumerate(suffixes):  # left padding: last token at -1
        suf[i, length - len(ids):] = torch.tensor(ids, device=device)
        suf_mask[i, length - len(ids):] = 1
    suf_embeds = lm.embed_tokens(suf)
    suf_pos = _positions(suf_mask, start)
    mask = torch.cat([suf_mask.new_ones(k, len(prefix)), suf_mask], 1)
    yes_ids = torch.tensor(yes_ids, device=device)
    no_ids = torch.tensor(no_ids, device=device)
    out = []
    for frame_tokens in tokens:
        embeds = lm.embed_tokens(pre).clone()
        embeds[0, image_mask] = frame_tokens.to(dtype)
        cache = DynamicCache()
        lm(inputs_embeds=embeds, position_ids=pre_pos, past_key_values=cache,
           use_cache=True)
        cache.batch_repeat_interleave(k)
        hidden = lm(inputs_embeds=suf_embeds, attention_mask=mask,
                    position_ids=suf_pos, past_key_values=cache,
                    use_cache=True).last_hidden_state[:, -1]
        probs = vlm.lm_head(hidden).float().softmax(-1)
        p_yes, p_no = probs[:, yes_ids].sum(-1), probs[:, no_ids].sum(-1)
        out.append(p_yes / (p_yes + p_no).clamp(min=1e-30))
    return torch.stack(out)


def check_qwen_switches(family: str, text_pooling: str, qwen_prior: str,
                        cache_dir) -> None:
    """Refuse unknown Qwen switch values, and Qwen switches elsewhere.

    Raises:
        ValueError: For an unknown value, ``text_pooling`` / ``qwen_prior``
            other than the defaults on a non-Qwen family, or
            ``'yes_probability'`` with a feature cache (it holds no prior).
    """
    if text_pooling not in TEXT_POOLINGS or qwen_prior not in QWEN_PRIORS:
        raise ValueError(
            f'text_pooling must be one of {TEXT_POOLINGS} and qwen_prior one '
            f'of {QWEN_PRIORS}; got {text_pooling!r}, {qwen_prior!r}')
    if family != QWEN_FAMILY and (text_pooling, qwen_prior) != ('mean',
                                                                'similarity'):
        raise ValueError('text_pooling and qwen_prior apply to Qwen2.5-VL '
                         f'checkpoints only, not to {family!r}')
    if qwen_prior == 'yes_probability' and cache_dir:
        raise ValueError("qwen_prior='yes_probability' needs the VLM online "
                         '(a feature cache holds no class prior): set '
                         'cache_dir=None')


class QwenYesPrior:
    """The yes-probability class prior over the 36 object classes.

    ``prior_k = p_k / sum_j p_j`` with ``p_k = P(yes) / (P(yes) + P(no))``
    the answer to ``question`` filled with class ``k``'s phrase
    (:func:`qwen_yes_probability`).

    Args:
        tokenizer: The Qwen tokenizer.
        config: The model config.
        question (str): Question template with an ``{obj}`` field.
        grid (tuple[int, int]): Merged vision grid ``(h, w)`` of a frame.
    """

    def __init__(self, tokenizer, config, question: str,
                 grid: Tuple[int, int]) -> None:
        questions = [question.format(obj=object_phrase(name))
                     for name in OBJECT_CLASSES[1:]]
        self.grid = tuple(grid)
        self.prefix, self.suffixes = qwen_prior_ids(
            tokenizer, config, questions, grid[0] * grid[1])
        self.yes_ids, self.no_ids = qwen_answer_ids(tokenizer)

    def __call__(self, vlm, tokens: Tensor) -> Tensor:
        """Prior of frames.

        Args:
            vlm: The ``Qwen2_5_VLForConditionalGeneration``.
            tokens (Tensor): (n, N, D) merged vision tokens.

        Returns:
            Tensor: (n, 36) float32, rows summing to 1.
        """
        p = qwen_yes_probability(vlm, tokens, self.grid, self.prefix,
                                 self.suffixes, self.yes_ids, self.no_ids)
        return p / p.sum(-1, keepdim=True).clamp(min=1e-30)
