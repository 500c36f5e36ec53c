"""Write a small random-weight CLIP or SigLIP checkpoint directory.

No weights can be downloaded on CPU test machines, so tests and the
synthetic CPU configs use a tiny VLM built from ``transformers`` config
classes, saved with ``save_pretrained`` and loaded back through the same
``from_pretrained`` path real checkpoints take. The tokenizer is a
``tokenizers`` word-level model over the words of the Action Genome prompts
(plus any extra words), saved as a ``PreTrainedTokenizerFast`` so that
``AutoTokenizer.from_pretrained`` loads it. The preprocessor config carries
the image mean/std the encoder reads.
"""
import json
import os
import os.path as osp
import re
from typing import Iterable, Optional

import torch

from vost.models.vlm.prompts import (
    DEFAULT_OBJECT_TEMPLATES,
    DEFAULT_PREDICATE_TEMPLATES,
    build_object_prompts,
    build_predicate_prompts,
)

__all__ = ['make_tiny_vlm', 'save_tiny_vlm']

_CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
_CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
_SIGLIP_MEAN = [0.5, 0.5, 0.5]
_SIGLIP_STD = [0.5, 0.5, 0.5]
_SPECIALS = ['<unk>', '<|startoftext|>', '<pad>', '<|endoftext|>']


def _prompt_words(extra_words: Iterable[str]):
    """Lower-case words and punctuation of the default prompts."""
    texts = [p for g in build_object_prompts(DEFAULT_OBJECT_TEMPLATES)
             for p in g]
    texts += [p for g in build_predicate_prompts(DEFAULT_PREDICATE_TEMPLATES)
              for p in g]
    texts += list(extra_words)
    words = set()
    for text in texts:
        words.update(re.findall(r'\w+|[^\w\s]+', text.lower()))
    return sorted(words)


def _build_tokenizer(family: str, max_length: int, extra_words):
    """A word-level fast tokenizer; ids: <unk> 0, bos 1, pad 2, eos 3."""
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import WordLevel
    from tokenizers.processors import TemplateProcessing
    from transformers import PreTrainedTokenizerFast

    vocab = {tok: i for i, tok in enumerate(_SPECIALS)}
    for word in _prompt_words(extra_words):
        vocab.setdefault(word, len(vocab))
    tok = Tokenizer(WordLevel(vocab, unk_token='<unk>'))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    if family == 'clip':
        tok.post_processor = TemplateProcessing(
            single='<|startoftext|> $A <|endoftext|>',
            special_tokens=[('<|startoftext|>', 1), ('<|endoftext|>', 3)])
    else:
        tok.post_processor = TemplateProcessing(
            single='$A <|endoftext|>', special_tokens=[('<|endoftext|>', 3)])
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token='<unk>',
        bos_token='<|startoftext|>',
        eos_token='<|endoftext|>',
        pad_token='<pad>',
        model_max_length=max_length)
    return fast, len(vocab)


def make_tiny_vlm(out_dir: str,
                  family: str = 'clip',
                  image_size: int = 64,
                  patch_size: int = 16,
                  hidden_size: int = 32,
                  num_layers: int = 2,
                  num_heads: int = 2,
                  projection_dim: int = 32,
                  intermediate_size: Optional[int] = None,
                  max_text_length: int = 24,
                  extra_words: Iterable[str] = (),
                  seed: Optional[int] = 0) -> str:
    """Write a random-weight VLM directory loadable by ``from_pretrained``.

    Args:
        out_dir (str): Output directory (created).
        family (str): ``'clip'`` or ``'siglip'``.
        image_size (int): Vision input size (square).
        patch_size (int): Patch size; ``image_size // patch_size`` is the
            native grid.
        hidden_size (int): Width of both towers (SigLIP's embedding width).
        num_layers (int): Layers per tower.
        num_heads (int): Attention heads per layer.
        projection_dim (int): CLIP joint embedding width.
        intermediate_size (int, optional): MLP width; default
            ``2 * hidden_size``.
        max_text_length (int): Tokenizer and position-embedding length.
        extra_words (Iterable[str]): More texts whose words join the
            vocabulary (e.g. custom prompt templates).
        seed (int, optional): Seed of the random weights.

    Returns:
        str: ``out_dir``.
    """
    from transformers import CLIPConfig, CLIPModel, SiglipConfig, SiglipModel
    if family not in ('clip', 'siglip'):
        raise ValueError(f"family must be 'clip' or 'siglip', got {family!r}")
    if image_size % patch_size:
        raise ValueError(f'image_size {image_size} is not a multiple of '
                         f'patch_size {patch_size}')
    tokenizer, vocab_size = _build_tokenizer(family, max_text_length,
                                             extra_words)
    towers = dict(
        hidden_size=hidden_size,
        intermediate_size=intermediate_size or hidden_size * 2,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads)
    text_cfg = dict(
        towers,
        vocab_size=vocab_size,
        max_position_embeddings=max_text_length,
        bos_token_id=1,
        pad_token_id=2,
        eos_token_id=3)
    vision_cfg = dict(towers, image_size=image_size, patch_size=patch_size)
    if seed is not None:
        torch.manual_seed(seed)
    if family == 'clip':
        config = CLIPConfig(
            text_config=text_cfg,
            vision_config=vision_cfg,
            projection_dim=projection_dim)
        model = CLIPModel(config)
        mean, std = _CLIP_MEAN, _CLIP_STD
        size = dict(shortest_edge=image_size)
        proc_type = 'CLIPImageProcessor'
    else:
        config = SiglipConfig(text_config=text_cfg, vision_config=vision_cfg)
        model = SiglipModel(config)
        mean, std = _SIGLIP_MEAN, _SIGLIP_STD
        size = dict(height=image_size, width=image_size)
        proc_type = 'SiglipImageProcessor'
    return save_tiny_vlm(
        out_dir, model, tokenizer,
        dict(
            image_processor_type=proc_type,
            image_mean=mean,
            image_std=std,
            size=size,
            crop_size=dict(height=image_size, width=image_size)))


def save_tiny_vlm(out_dir: str, model, tokenizer, processor: dict) -> str:
    """Write a tiny VLM folder as ``from_pretrained`` reads it.

    Args:
        out_dir (str): The folder (created).
        model: The ``transformers`` model. tokenizer: Its tokenizer.
        processor (dict): The image processor's own fields
            (``image_processor_type``, mean, std, sizes); the rescale and
            normalise switches are added.

    Returns:
        str: ``out_dir``.
    """
    os.makedirs(out_dir, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    # Written directly: image processor classes need Pillow to instantiate,
    # reading the file does not.
    with open(osp.join(out_dir, 'preprocessor_config.json'), 'w') as f:
        json.dump(
            dict(processor, do_resize=True, do_normalize=True,
                 do_rescale=True, rescale_factor=1 / 255),
            f,
            indent=2)
    return out_dir
