"""Load a CLIP / SigLIP / Qwen2.5-VL checkpoint through ``transformers``,
offline-aware.

Every loader goes through the public ``from_pretrained`` entry points, so a
hub name (``'openai/clip-vit-base-patch16'``) and a local directory written
by ``save_pretrained`` take the same path. When a checkpoint cannot be found
(no network, ``HF_HUB_OFFLINE=1``, a typo) the ``OSError`` of transformers is
re-raised with the name and how to provide the checkpoint locally.

The family is read from the checkpoint's ``config.model_type`` (through
``AutoConfig``) before the weights: ``'qwen2_5_vl'`` loads with
``Qwen2_5_VLForConditionalGeneration``, everything else with ``AutoModel``.
"""
import os.path as osp
from typing import List, Optional, Tuple

from .qwen_vl import QWEN_FAMILY, qwen_merged_tokens, qwen_text_features

__all__ = [
    'load_vlm', 'load_image_stats', 'vlm_family', 'text_features',
    'vision_features', 'vision_tower', 'vision_geometry'
]


def _not_available(name: str, what: str, err: Exception) -> OSError:
    """Build the error raised when a checkpoint part cannot be loaded."""
    where = ('the local directory exists but lacks it'
             if osp.isdir(name) else
             'it is neither a local directory nor available from the '
             'Hugging Face hub cache (this machine may be offline)')
    return OSError(
        f'Cannot load the {what} of the VLM {name!r}: {where}.\n'
        f'On a machine with network run\n'
        f'    huggingface-cli download {name} --local-dir DIR\n'
        'copy DIR here and set the config field model_name=DIR (a local '
        'directory written by save_pretrained), or fill the hub cache '
        '(HF_HOME) beforehand. For tests and CPU demos, '
        'tools/misc/make_tiny_vlm.py writes a small random-weight VLM.\n'
        f'Original error: {err}')


def vlm_family(model) -> str:
    """Name the supported family of a loaded ``transformers`` model.

    Args:
        model: A model returned by ``AutoModel.from_pretrained``.

    Returns:
        str: ``'clip'``, ``'siglip'`` or ``'qwen2_5_vl'``.

    Raises:
        TypeError: For another architecture.
    """
    model_type = getattr(model.config, 'model_type', '')
    if model_type == QWEN_FAMILY and hasattr(model, 'visual'):
        return QWEN_FAMILY
    if hasattr(model, 'visual_projection') and hasattr(
            model, 'text_projection'):
        return 'clip'
    if model_type.startswith('siglip'):
        return 'siglip'
    raise TypeError(
        f'VLM of model_type {model_type!r} ({type(model).__name__}) is not '
        'supported: use a CLIP-style (visual_projection/text_projection), '
        'SigLIP or Qwen2.5-VL checkpoint')


def _looks_local(name: str) -> bool:
    """Whether ``name`` is meant as a path (not a hub id such as
    ``openai/clip-vit-base-patch16``)."""
    return (osp.isabs(name) or name.startswith(('.', '~'))
            or name.count('/') > 1 or osp.exists(name))


def _check_local_path(name: str) -> None:
    """A clear error for a local VLM path that is not a model folder."""
    if not _looks_local(name):
        return
    path = osp.expanduser(name)
    fix = ('set model.vlm_encoder.model_name to a folder written by '
           "transformers' save_pretrained (config.json, weights, tokenizer), "
           'e.g. one downloaded with huggingface-cli download NAME '
           '--local-dir DIR')
    if not osp.exists(path):
        raise FileNotFoundError(f'VLM path {name!r} does not exist; {fix}')
    if not osp.isdir(path):
        raise NotADirectoryError(f'VLM path {name!r} is a file, not a model '
                                 f'folder; {fix}')
    if not osp.isfile(osp.join(path, 'config.json')):
        raise FileNotFoundError(f'VLM path {name!r} is not a model folder '
                                f'(no config.json in it); {fix}')


def load_vlm(name: str,
             local_files_only: bool = False,
             torch_dtype: Optional[str] = None):
    """Load a frozen VLM and its tokenizer.

    Args:
        name (str): Hub name or local directory.
        local_files_only (bool): Never touch the network.
        torch_dtype (str, optional): Weight dtype (``'bfloat16'``,
            ``'float16'``, ``'float32'`` or ``'auto'``); default: the
            ``from_pretrained`` default (float32).

    Returns:
        tuple: ``(model, tokenizer)``; the model is in eval mode with
        ``requires_grad=False`` on every parameter.
    """
    import torch
    from transformers import (AutoConfig, AutoModel, AutoTokenizer,
                              Qwen2_5_VLForConditionalGeneration)
    _check_local_path(name)
    kwargs = dict(local_files_only=local_files_only)
    if torch_dtype is not None:
        kwargs['torch_dtype'] = (torch_dtype if torch_dtype == 'auto' else
                                 getattr(torch, torch_dtype))
    try:
        config = AutoConfig.from_pretrained(
            name, local_files_only=local_files_only)
        if getattr(config, 'model_type', '') == QWEN_FAMILY:
            model = Qwen2_5_VLForConditionalGeneration.from_pretrained(
                name, **kwargs)
        else:
            model = AutoModel.from_pretrained(name, **kwargs)
    except (OSError, ValueError) as err:  # HFValidationError: ValueError
        raise _not_available(name, 'weights', err) from err
    try:
        tokenizer = AutoTokenizer.from_pretrained(
            name, local_files_only=local_files_only)
    except (OSError, ValueError) as err:
        raise _not_available(name, 'tokenizer', err) from err
    try:
        vlm_family(model)
    except TypeError as err:
        raise TypeError(f'VLM {name!r}: {err}') from None
    model.eval()
    model.requires_grad_(False)
    return model, tokenizer


def load_image_stats(name: str,
                     local_files_only: bool = False
                     ) -> Tuple[Tuple[float, ...], Tuple[float, ...]]:
    """Read the image mean and std of a checkpoint's preprocessor config.

    Uses the image processor's own config loader
    (``ImageProcessingMixin.get_image_processor_dict``, what
    ``AutoImageProcessor.from_pretrained`` reads), which needs no image
    backend such as Pillow.

    Args:
        name (str): Hub name or local directory.
        local_files_only (bool): Never touch the network.

    Returns:
        tuple: ``(mean, std)`` each of 3 floats on the 0..1 pixel scale.
    """
    from transformers.image_processing_utils import ImageProcessingMixin
    try:
        cfg, _ = ImageProcessingMixin.get_image_processor_dict(
            name, local_files_only=local_files_only)
    except OSError as err:
        raise _not_available(name, 'preprocessor config', err) from err
    try:
        mean = tuple(float(v) for v in cfg['image_mean'])
        std = tuple(float(v) for v in cfg['image_std'])
    except KeyError as err:
        raise KeyError(
            f'The preprocessor config of {name!r} has no {err} field; set '
            'vlm_mean and vlm_std in the VLMEncoder config') from err
    return mean, std


def text_features(vlm,
                  tokenizer,
                  family: str,
                  prompts: List[str],
                  pooling: str = 'mean'):
    """Text embeddings of prompts, tokenised as the family was trained.

    Args:
        vlm: A model from :func:`load_vlm`.
        tokenizer: Its tokenizer.
        family (str): :func:`vlm_family`.
        prompts (list[str]): ``K`` prompts.
        pooling (str): Qwen2.5-VL only, see
            :func:`~vost.models.vlm.qwen_vl.qwen_text_features`.

    Returns:
        Tensor: (K, C) float32 text features (not normalised).
    """
    if family == QWEN_FAMILY:
        return qwen_text_features(vlm, tokenizer, prompts, pooling)
    kwargs = dict(padding=True, truncation=True, return_tensors='pt')
    if family == 'siglip':
        # SigLIP pools the last token: it was trained on max-length padded
        # text, without an attention mask.
        kwargs['padding'] = 'max_length'
    tokens = tokenizer(prompts, **kwargs)
    device = next(vlm.parameters()).device
    keep = ('input_ids', ) if family == 'siglip' else ('input_ids',
                                                       'attention_mask')
    tokens = {k: v.to(device) for k, v in tokens.items() if k in keep}
    return vlm.get_text_features(**tokens).float()


def vision_features(vlm, family: str, pixels):
    """Image embedding and per-patch features of the vision tower.

    CLIP: the pooled token and the last-layer patch tokens (class token
    dropped) through ``post_layernorm`` and ``visual_projection``, the image
    embedding's own path applied per token. SigLIP: the pooled output and
    the last-layer tokens. Qwen2.5-VL: the merged vision tokens
    (:func:`~vost.models.vlm.qwen_vl.qwen_merged_tokens`, ``patch`` = 28)
    and their mean.

    Args:
        vlm: A model from :func:`load_vlm`.
        family (str): :func:`vlm_family`.
        pixels (Tensor): (n, 3, S, S) VLM-normalised pixels.

    Returns:
        tuple[Tensor, Tensor]: image embeddings (n, C), not normalised, and
        patch tokens (n, (S / patch) ** 2, C), row-major over the grid.
    """
    if family == QWEN_FAMILY:
        tokens = qwen_merged_tokens(vlm, pixels)
        return tokens.mean(1), tokens
    vision = vlm.vision_model
    out = vision(pixel_values=pixels.to(next(vision.parameters()).dtype))
    tokens = out.last_hidden_state
    if family == 'clip':
        image = vlm.visual_projection(out.pooler_output)
        patches = vlm.visual_projection(vision.post_layernorm(tokens[:, 1:]))
        return image.to(pixels.dtype), patches.to(pixels.dtype)
    return out.pooler_output.to(pixels.dtype), tokens.to(pixels.dtype)


def vision_tower(vlm, family: str):
    """The vision tower module (``visual`` of Qwen, else
    ``vision_model``), whose weights the cache fingerprint covers."""
    return vlm.visual if family == QWEN_FAMILY else vlm.vision_model


def vision_geometry(vlm, family: str,
                    qwen_image_size: int) -> Tuple[int, int]:
    """Square input side ``S`` and the input pixels per native grid cell.

    CLIP / SigLIP: the vision config's ``image_size`` and ``patch_size``.
    Qwen2.5-VL: ``qwen_image_size`` and ``patch_size * spatial_merge_size``
    (28: one merged token).

    Raises:
        ValueError: If ``S`` is not a multiple of the cell.
    """
    vcfg = vlm.config.vision_config
    if family != QWEN_FAMILY:
        return int(vcfg.image_size), int(vcfg.patch_size)
    cell = int(vcfg.patch_size * vcfg.spatial_merge_size)
    if qwen_image_size % cell:
        raise ValueError(f'qwen_image_size {qwen_image_size} is not a '
                         f'multiple of {cell} (patch x merge)')
    return int(qwen_image_size), cell
