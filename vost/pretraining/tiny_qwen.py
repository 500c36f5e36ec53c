"""Write a small random-weight Qwen2.5-VL checkpoint directory.

The Qwen2.5-VL counterpart of :func:`~vost.pretraining.make_tiny_vlm`: a
``Qwen2_5_VLForConditionalGeneration`` built from ``transformers`` config
classes (vision depth 2, width 32, patch 14, merge 2, window 56; language
model width 32, 2 layers, 2 heads / 1 key-value head), saved with
``save_pretrained`` and loaded back through ``from_pretrained`` exactly as
a real checkpoint. Nothing is downloaded.

The tokenizer is a byte-level BPE trained with ``tokenizers`` on the
prompt texts of :mod:`~vost.models.vlm.prompts`, the class-prior questions
and the chat format, with Qwen's special tokens (``<|im_start|>``,
``<|vision_start|>``, ``<|image_pad|>``, ...) at the ids the model config
points to, and ``Yes`` / ``No`` / ``yes`` / ``no`` as single tokens. It is
saved as a ``Qwen2TokenizerFast`` with a chat template in the Qwen2-VL
format (system turn, ``<|vision_start|><|image_pad|><|vision_end|>`` for an
image). ``preprocessor_config.json`` carries Qwen's (CLIP's) image
mean/std.
"""
from typing import Iterable, Optional

import torch

from vost.models.vlm.prompts import (
    DEFAULT_OBJECT_TEMPLATES,
    DEFAULT_PREDICATE_TEMPLATES,
    build_object_prompts,
    build_predicate_prompts,
    object_phrase,
)
from vost.structures.ag_meta import OBJECT_CLASSES

from .tiny_vlm import save_tiny_vlm

__all__ = ['make_tiny_qwen2_5_vl', 'QWEN_CHAT_TEMPLATE', 'QWEN_SPECIALS']

_QWEN_MEAN = [0.48145466, 0.4578275, 0.40821073]
_QWEN_STD = [0.26862954, 0.26130258, 0.27577711]

#: Special tokens in id order (ids 0..6 of the tiny vocabulary).
QWEN_SPECIALS = ('<|endoftext|>', '<|im_start|>', '<|im_end|>',
                 '<|vision_start|>', '<|vision_end|>', '<|image_pad|>',
                 '<|video_pad|>')

#: The Qwen2-VL chat format (default system turn, one
#: ``<|vision_start|><|image_pad|><|vision_end|>`` block per image);
#: written for the tiny tokenizer, the layout of the released template.
QWEN_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' %}"
    "<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'text' %}{{ content['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")

_ANSWERS = ('Yes', 'No', 'yes', 'no')


def _corpus(extra_texts: Iterable[str]):
    """Texts the tiny BPE is trained on (prompts, questions, chat format)."""
    texts = [p for g in build_object_prompts(DEFAULT_OBJECT_TEMPLATES)
             for p in g]
    texts += [p for g in build_predicate_prompts(DEFAULT_PREDICATE_TEMPLATES)
              for p in g]
    texts += [f'Is there a {object_phrase(n)} in the image?'
              for n in OBJECT_CLASSES[1:]]
    texts += ['system\nYou are a helpful assistant.', 'user\n',
              'assistant\n'] + list(extra_texts)
    # the answers often, as whole lines, so BPE merges each into one token
    return texts + list(_ANSWERS) * 50


def _build_tokenizer(vocab_size: int, extra_texts: Iterable[str]):
    """A byte-level BPE ``Qwen2TokenizerFast`` (specials: ids 0..6)."""
    from tokenizers import Tokenizer, decoders, pre_tokenizers
    from tokenizers.models import BPE
    from tokenizers.trainers import BpeTrainer
    from transformers import Qwen2TokenizerFast

    tok = Tokenizer(BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(QWEN_SPECIALS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False)
    tok.train_from_iterator(_corpus(extra_texts), trainer=trainer)
    fast = Qwen2TokenizerFast(
        tokenizer_object=tok,
        unk_token=None,
        bos_token=None,
        eos_token='<|im_end|>',
        pad_token='<|endoftext|>',
        additional_special_tokens=list(QWEN_SPECIALS[1:]),
        model_max_length=4096)
    fast.chat_template = QWEN_CHAT_TEMPLATE
    for i, special in enumerate(QWEN_SPECIALS):
        assert fast.convert_tokens_to_ids(special) == i, special
    for word in _ANSWERS:
        if len(fast.encode(word, add_special_tokens=False)) != 1:
            raise RuntimeError(f'tiny Qwen tokenizer: {word!r} is not one '
                               'token; raise vocab_size')
    return fast


def make_tiny_qwen2_5_vl(out_dir: str,
                         vision_depth: int = 2,
                         vision_hidden_size: int = 32,
                         vision_heads: int = 2,
                         hidden_size: int = 32,
                         num_layers: int = 2,
                         num_heads: int = 2,
                         num_kv_heads: int = 1,
                         window_size: int = 56,
                         vocab_size: int = 640,
                         init_std: float = 0.2,
                         extra_texts: Iterable[str] = (),
                         seed: Optional[int] = 0) -> str:
    """Write a random-weight Qwen2.5-VL directory for ``from_pretrained``.

    Patch size 14, spatial merge 2, temporal patch 2 (as the released
    models): an ``S x S`` input (``S`` a multiple of 28) gives ``(S / 28)
    ** 2`` merged vision tokens of width ``hidden_size``. The last vision
    block attends globally, the others within windows of ``window_size``
    pixels.

    Args:
        out_dir (str): Output directory (created).
        vision_depth (int): Vision blocks.
        vision_hidden_size (int): Vision width.
        vision_heads (int): Vision attention heads.
        hidden_size (int): Language-model width (= merged token width).
        num_layers (int): Language-model layers.
        num_heads (int): Language-model attention heads.
        num_kv_heads (int): Language-model key-value heads.
        window_size (int): Vision window in pixels, a multiple of 28.
        vocab_size (int): BPE vocabulary size (with 256 bytes, 7 specials).
        init_std (float): Std of the random weights; larger than the
            usual 0.02 so that the outputs of the tiny model depend
            visibly on its inputs.
        extra_texts (Iterable[str]): More texts for the BPE training.
        seed (int, optional): Seed of the random weights.

    Returns:
        str: ``out_dir``.
    """
    from transformers import (Qwen2_5_VLConfig,
                              Qwen2_5_VLForConditionalGeneration)
    if window_size % 28:
        raise ValueError(f'window_size {window_size} is not a multiple of '
                         '28 (patch 14 x merge 2)')
    head_dim = hidden_size // num_heads
    if head_dim % 2 or hidden_size % num_heads:
        raise ValueError(f'hidden_size {hidden_size} / num_heads '
                         f'{num_heads} must be an even integer')
    half = head_dim // 2  # M-RoPE: temporal, height, width sections
    section = [half - 2 * (half // 3), half // 3, half // 3]
    tokenizer = _build_tokenizer(vocab_size, extra_texts)
    ids = {s: tokenizer.convert_tokens_to_ids(s) for s in QWEN_SPECIALS}
    config = Qwen2_5_VLConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        num_key_value_heads=num_kv_heads,
        max_position_embeddings=4096,
        initializer_range=init_std,
        rope_scaling=dict(type='mrope', mrope_section=section),
        tie_word_embeddings=False,
        vision_config=dict(
            depth=vision_depth,
            hidden_size=vision_hidden_size,
            intermediate_size=2 * vision_hidden_size,
            num_heads=vision_heads,
            patch_size=14,
            spatial_merge_size=2,
            temporal_patch_size=2,
            window_size=window_size,
            out_hidden_size=hidden_size,
            fullatt_block_indexes=[vision_depth - 1],
            initializer_range=init_std),
        bos_token_id=None,
        eos_token_id=ids['<|im_end|>'],
        pad_token_id=ids['<|endoftext|>'],
        image_token_id=ids['<|image_pad|>'],
        video_token_id=ids['<|video_pad|>'],
        vision_start_token_id=ids['<|vision_start|>'],
        vision_end_token_id=ids['<|vision_end|>'])
    if seed is not None:
        torch.manual_seed(seed)
    model = Qwen2_5_VLForConditionalGeneration(config)
    return save_tiny_vlm(
        out_dir, model, tokenizer,
        dict(
            image_processor_type='Qwen2VLImageProcessor',
            image_mean=_QWEN_MEAN,
            image_std=_QWEN_STD,
            patch_size=14,
            merge_size=2,
            temporal_patch_size=2,
            min_pixels=56 * 56,
            max_pixels=28 * 28 * 1280))
