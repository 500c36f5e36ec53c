"""The frozen vision-language encoder (CLIP / SigLIP / Qwen2.5-VL on
``transformers``)."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from vost.registry import MODELS

from .feature_cache import VLMFeatureCache, weights_fingerprint
from .hf_loading import (load_image_stats, load_vlm, text_features,
                         vision_features, vision_geometry, vision_tower,
                         vlm_family)
from .prompts import (
    DEFAULT_OBJECT_TEMPLATES,
    DEFAULT_PREDICATE_TEMPLATES,
    build_object_prompts,
    build_predicate_prompts,
)
from .qwen_vl import (QWEN_FAMILY, QWEN_PRIOR_QUESTION, QWEN_PRIOR_SCALE,
                      QwenYesPrior, check_qwen_switches)

__all__ = ['VLMEncoder']


@MODELS.register_module()
class VLMEncoder(BaseModule):
    """Frozen CLIP / SigLIP / Qwen2.5-VL encoder giving the VLM priors.

    Outputs of :meth:`forward` (``n`` frames, ``C`` = :attr:`embed_dims`):

    - ``image_embeds`` (n, C): L2-normalised image embeddings.
    - ``patch_feats`` (n, C, h, w): patch features in the joint space,
      pooled to ``grid_size``. **Coordinate mapping:** the grid covers the
      unpadded image region ``[0, img_w] x [0, img_h]`` of the detector
      input (``img_shape``), so a box in normalised input coordinates
      ``(x / img_w, y / img_h)`` lands on grid coordinates
      ``(x / img_w * w, y / img_h * h)`` (see
      :func:`~vost.models.vlm.pool_boxes`). The VLM sees that region
      stretched to its square input (``image_size``): no crop, no padding,
      aspect ratio not kept, so every pixel of the frame is covered.
    - ``text_obj`` (37, C): normalised prompt embeddings of object ids
      0..36; row 0 (background) is zeros.
    - ``text_pred`` (26, C): normalised predicate prompt embeddings,
      global predicate ids.
    - ``class_prior`` (n, 37): per-frame class prior, the softmax over
      classes 1..36 of ``prior_scale * image_embeds @ text_obj.T``; column 0
      is 0 (or Qwen's ``qwen_prior='yes_probability'``, below).

    Entries named ``text_*`` are shared by all frames; the others have
    ``n`` rows (the detector selects key frames by that rule).

    Patch features: for CLIP, the last-layer patch tokens through the
    vision ``post_layernorm`` and ``visual_projection`` (the pooled image
    embedding's own path, applied per token); for SigLIP, the last-layer
    (post-layernorm) patch tokens, whose width equals the embedding width.
    Both are approximations of dense VLM features, documented in docs/vlm.md.

    Qwen2.5-VL (rules inferred, :mod:`~vost.models.vlm.qwen_vl`): the
    frame is stretched to ``qwen_image_size``; ``patch_feats`` are the
    tokens after the patch merger on their ``(S / 28, S / 28)`` grid,
    ``image_embeds`` their normalised mean, text embeddings a
    ``text_pooling`` of the language model's states;
    ``qwen_prior='yes_probability'`` is :class:`QwenYesPrior` (online only).

    The VLM is frozen: it is kept out of the module tree (no parameters in
    ``state_dict``, the optimizer, ``init_weights`` or DDP), is always in eval
    mode, and runs under ``torch.no_grad``; device and dtype moves reach it
    through :meth:`_apply`. Text embeddings are computed once at construction
    and stored as non-persistent buffers.

    With ``cache_dir`` set, image embeddings and patch grids are read by
    ``frame_key`` from a cache written by ``tools/extract_vlm_features.py``
    (memory-mapped) instead of running the vision tower. Cached grids are of
    the whole unflipped frame: they are flipped here when a sample's
    ``flip`` is set (the image embedding is kept), and resizing needs no
    change since the grid covers the whole frame. Crops of the frame are
    not supported with a cache.

    Args:
        model_name (str): Hub name or local directory of a CLIP, SigLIP or
            Qwen2.5-VL checkpoint.
        grid_size (tuple[int, int] | int | None): Pooled patch grid
            ``(h, w)``; None keeps the VLM's native grid.
        mean (Sequence[float]): Mean the data preprocessor subtracted from
            the detector input, 0..255 scale.
        std (Sequence[float]): Std the data preprocessor divided by.
        input_channel_order (str): Channel order of the detector input
            after preprocessing, ``'rgb'`` (``bgr_to_rgb=True``) or
            ``'bgr'``.
        vlm_mean (Sequence[float], optional): VLM image mean (0..1 scale);
            default: the checkpoint's preprocessor config.
        vlm_std (Sequence[float], optional): VLM image std.
        object_templates (Sequence[str]): Object prompt templates
            (``{obj}`` field), averaged.
        predicate_templates (dict): Group -> predicate templates
            (``{pred}``, ``{obj}`` fields).
        predicate_object_word (str): Fills ``{obj}`` in predicate prompts.
        predicate_phrases (dict, optional): Predicate phrase overrides.
        prior_scale (float, optional): Scale of the class-prior logits;
            default: the VLM's ``logit_scale.exp()`` (Qwen: 100).
        cache_dir (str, optional): Feature cache to read.
        local_files_only (bool): Never use the network when loading.
        vision_batch_size (int): Frames per vision-tower call (Qwen's SDPA
            vision attention is quadratic in the call's tokens: keep small).
        qwen_image_size (int): Qwen: square input side, a multiple of 28.
        text_pooling (str): Qwen: ``'mean'``, ``'last'`` or ``'embed_mean'``.
        qwen_prior (str): Qwen: ``'similarity'`` or ``'yes_probability'``.
        qwen_prior_question (str): Qwen yes-probability question (``{obj}``).
        torch_dtype (str, optional): Weight dtype, e.g. ``'bfloat16'``.
        init_cfg (dict, optional): Unused; the VLM keeps its weights.
    """

    def __init__(self,
                 model_name: str,
                 grid_size: Union[int, Tuple[int, int], None] = (7, 7),
                 mean: Sequence[float] = (123.675, 116.28, 103.53),
                 std: Sequence[float] = (58.395, 57.12, 57.375),
                 input_channel_order: str = 'rgb',
                 vlm_mean: Optional[Sequence[float]] = None,
                 vlm_std: Optional[Sequence[float]] = None,
                 object_templates: Sequence[str] = DEFAULT_OBJECT_TEMPLATES,
                 predicate_templates: dict = DEFAULT_PREDICATE_TEMPLATES,
                 predicate_object_word: str = 'thing',
                 predicate_phrases: Optional[dict] = None,
                 prior_scale: Optional[float] = None,
                 cache_dir: Optional[str] = None,
                 local_files_only: bool = False,
                 vision_batch_size: int = 32,
                 qwen_image_size: int = 448,
                 text_pooling: str = 'mean',
                 qwen_prior: str = 'similarity',
                 qwen_prior_question: str = QWEN_PRIOR_QUESTION,
                 torch_dtype: Optional[str] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if input_channel_order not in ('rgb', 'bgr'):
            raise ValueError("input_channel_order must be 'rgb' or 'bgr', "
                             f'got {input_channel_order!r}')
        self.model_name = model_name
        model, tokenizer = load_vlm(model_name, local_files_only, torch_dtype)
        # Kept out of the module tree on purpose (see the class docstring).
        object.__setattr__(self, '_vlm', model)
        self.tokenizer = tokenizer
        self.family, self.torch_dtype = vlm_family(model), torch_dtype
        qwen = self.family == QWEN_FAMILY
        check_qwen_switches(self.family, text_pooling, qwen_prior, cache_dir)
        self.text_pooling, self.qwen_prior = text_pooling, qwen_prior
        # patch_size: input pixels per native grid cell (Qwen: merged)
        self.image_size, self.patch_size = vision_geometry(
            model, self.family, qwen_image_size)
        native = self.image_size // self.patch_size
        if grid_size is None:
            grid_size = (native, native)
        elif isinstance(grid_size, int):
            grid_size = (grid_size, grid_size)
        self.grid_size = tuple(int(s) for s in grid_size)
        self.input_channel_order = input_channel_order
        if vlm_mean is None or vlm_std is None:
            ckpt_mean, ckpt_std = load_image_stats(model_name,
                                                   local_files_only)
            vlm_mean = ckpt_mean if vlm_mean is None else vlm_mean
            vlm_std = ckpt_std if vlm_std is None else vlm_std
        for key, val in (('mean', mean), ('std', std),
                         ('vlm_mean', vlm_mean), ('vlm_std', vlm_std)):
            if len(val) != 3:
                raise ValueError(f'VLMEncoder {key} needs 3 values, got {val}')
        self.register_buffer(
            'in_mean', torch.tensor(mean).view(3, 1, 1), persistent=False)
        self.register_buffer(
            'in_std', torch.tensor(std).view(3, 1, 1), persistent=False)
        self.register_buffer(
            'vlm_mean', torch.tensor(vlm_mean).view(3, 1, 1) * 255.,
            persistent=False)
        self.register_buffer(
            'vlm_std', torch.tensor(vlm_std).view(3, 1, 1) * 255.,
            persistent=False)
        self.vision_batch_size = vision_batch_size

        with torch.no_grad():
            text_obj = self.encode_prompts(
                build_object_prompts(object_templates))
            text_pred = self.encode_prompts(
                build_predicate_prompts(predicate_templates,
                                        predicate_object_word,
                                        predicate_phrases))
            logit_scale = (torch.tensor(QWEN_PRIOR_SCALE) if qwen else
                           model.logit_scale.exp().detach().clone())
        self.embed_dims = text_obj.shape[1]
        self.register_buffer(
            'text_obj',
            torch.cat([text_obj.new_zeros(1, self.embed_dims), text_obj]),
            persistent=False)
        self.register_buffer('text_pred', text_pred, persistent=False)
        self.register_buffer('logit_scale', logit_scale, persistent=False)
        self.prior_scale = prior_scale
        self.yes_prior = (
            QwenYesPrior(tokenizer, model.config, qwen_prior_question,
                         (native, native))
            if qwen_prior == 'yes_probability' else None)
        self.cache_dir = cache_dir
        self.cache = (
            VLMFeatureCache(cache_dir, self.cache_settings())
            if cache_dir else None)

    # ------------------------------------------------------------------
    # The hidden VLM: frozen, always eval, moved with the module.
    @property
    def vlm(self):
        """The frozen ``transformers`` model."""
        return self._vlm

    def _apply(self, fn, *args, **kwargs):
        """Apply device / dtype moves to the hidden VLM as well."""
        super()._apply(fn, *args, **kwargs)
        self._vlm._apply(fn)
        return self

    def train(self, mode: bool = True):
        """Set the train mode of the module; the VLM stays in eval mode."""
        super().train(mode)
        self._vlm.eval()
        return self

    def init_weights(self) -> None:
        """Keep the pretrained weights (nothing to initialise)."""

    # ------------------------------------------------------------------
    def cache_settings(self) -> dict:
        """Settings a feature cache must have been written under.

        Returns:
            dict: JSON-able: VLM name, type, a fingerprint of the vision
            weights, input size, grid size, feature definition, mean/std.
        """
        settings = dict(
            model_name=self.model_name,
            model_type=self._vlm.config.model_type,
            weights_fingerprint=self.weights_fingerprint(),
            image_size=self.image_size,
            grid_size=list(self.grid_size),
            embed_dims=int(self.embed_dims),
            vlm_mean=[round(float(v) / 255., 6)
                      for v in self.vlm_mean.flatten()],
            vlm_std=[round(float(v) / 255., 6)
                     for v in self.vlm_std.flatten()],
            patch_features=f'{self.family}_last_layer_tokens_v1',
            resize='stretch_full_frame_bilinear_antialias')
        if self.family == QWEN_FAMILY:  # CLIP / SigLIP settings unchanged
            settings.update(family=self.family, text_pooling=self.text_pooling,
                            qwen_image_size=self.image_size,
                            qwen_prior=self.qwen_prior,
                            patch_features='qwen2_5_vl_merged_tokens_v1')
        if self.family == QWEN_FAMILY or self.torch_dtype is not None:
            settings['torch_dtype'] = self.torch_dtype
        return settings

    def weights_fingerprint(self) -> str:
        """A short hash of the vision tower's weights (16 hex digits)."""
        return weights_fingerprint(vision_tower(self._vlm, self.family))

    # ------------------------------------------------------------------
    @torch.no_grad()
    def encode_prompts(self, prompts: List[List[str]]) -> Tensor:
        """Embed prompt groups, averaging the templates of each group.

        Args:
            prompts (list[list[str]]): ``K`` groups of prompts.

        Returns:
            Tensor: (K, C) L2-normalised embeddings.
        """
        flat = [p for group in prompts for p in group]
        embeds = F.normalize(
            text_features(self._vlm, self.tokenizer, self.family, flat,
                          self.text_pooling),
            dim=-1)
        out, start = [], 0
        for group in prompts:
            mean = embeds[start:start + len(group)].mean(0)
            out.append(F.normalize(mean, dim=-1))
            start += len(group)
        return torch.stack(out)

    @torch.no_grad()
    def encode_frames(self, frames: List[Tensor],
                      return_tokens: bool = False) -> Tuple[Tensor, ...]:
        """Run the vision tower on whole frames.

        Args:
            frames (list[Tensor]): ``n`` RGB frames (3, h_i, w_i) on the
                0..255 scale (any float dtype).
            return_tokens (bool): Also return the unpooled tokens.

        Returns:
            tuple[Tensor, ...]: image embeddings (n, C), normalised, and
            patch features (n, C, *grid_size); with ``return_tokens`` also
            the native tokens (n, N, C).
        """
        pixels = torch.stack([
            F.interpolate(
                f[None].float(),
                size=(self.image_size, self.image_size),
                mode='bilinear',
                align_corners=False,
                antialias=True)[0] for f in frames
        ])
        pixels = (pixels - self.vlm_mean) / self.vlm_std
        outs = [self._vision_forward(pixels[i:i + self.vision_batch_size])
                for i in range(0, len(pixels), self.vision_batch_size)]
        outs = tuple(torch.cat(parts) for parts in zip(*outs))
        return outs if return_tokens else outs[:2]

    def _vision_forward(self, pixels: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """Vision tower on VLM-normalised pixels (n, 3, S, S)."""
        image, tokens = vision_features(self._vlm, self.family, pixels)
        g = self.image_size // self.patch_size
        patches = tokens.transpose(1, 2).reshape(len(pixels), -1, g, g)
        if tuple(self.grid_size) != (g, g):
            patches = F.adaptive_avg_pool2d(patches, self.grid_size)
        return F.normalize(image, dim=-1), patches, tokens

    # ------------------------------------------------------------------
    def _frames_from_inputs(self, batch_inputs: Tensor,
                            batch_data_samples: list) -> List[Tensor]:
        """Un-normalise the detector input and crop each unpadded region."""
        frames = batch_inputs.float() * self.in_std + self.in_mean
        if self.input_channel_order == 'bgr':
            frames = frames.flip(1)
        out = []
        for i, sample in enumerate(batch_data_samples):
            h, w = sample.metainfo.get('img_shape', frames.shape[-2:])[:2]
            out.append(frames[i, :, :int(h), :int(w)])
        return out

    def class_prior(self, image_embeds: Tensor) -> Tensor:
        """Per-frame class prior from image-text similarity.

        Args:
            image_embeds (Tensor): (n, C) normalised.

        Returns:
            Tensor: (n, 37); softmax over classes 1..36, column 0 is 0.
        """
        scale = (self.logit_scale if self.prior_scale is None else
                 self.prior_scale)
        logits = scale * image_embeds @ self.text_obj[1:].t()
        prior = logits.softmax(-1)
        return torch.cat([prior.new_zeros(len(prior), 1), prior], dim=1)

    def yes_probability_prior(self, tokens: Tensor) -> Tensor:
        """Qwen's yes-probability prior (n, 37) of merged vision tokens
        (n, N, C) (:class:`QwenYesPrior`); column 0 is 0."""
        prior = self.yes_prior(self._vlm, tokens).to(tokens.dtype)
        return torch.cat([prior.new_zeros(len(prior), 1), prior], dim=1)

    @torch.no_grad()
    def forward(self, batch_inputs: Tensor,
                batch_data_samples: list) -> Dict[str, Tensor]:
        """Compute the VLM features of a batch of frames.

        Args:
            batch_inputs (Tensor): (n, 3, H, W) detector input, normalised
                by the data preprocessor and padded.
            batch_data_samples (list): ``n`` data samples with metainfo
                ``img_shape`` (and ``frame_key``, ``flip``,
                ``flip_direction`` when a cache is used).

        Returns:
            dict[str, Tensor]: see the class docstring.
        """
        if len(batch_inputs) != len(batch_data_samples):
            raise ValueError(
                f'VLMEncoder got {len(batch_inputs)} frames but '
                f'{len(batch_data_samples)} data samples')
        if self.cache is not None:
            image_embeds, patch_feats = self.cache.load_for_samples(
                batch_data_samples, batch_inputs.device)
        else:
            image_embeds, patch_feats, tokens = self.encode_frames(
                self._frames_from_inputs(batch_inputs, batch_data_samples),
                return_tokens=True)
        return dict(
            image_embeds=image_embeds,
            patch_feats=patch_feats,
            text_obj=self.text_obj,
            text_pred=self.text_pred,
            class_prior=(self.class_prior(image_embeds) if self.yes_prior is
                         None else self.yes_probability_prior(tokens)))

    def extra_repr(self) -> str:
        """Summary shown by ``print(model)``."""
        return (f'model_name={self.model_name!r}, family={self.family}, '
                f'image_size={self.image_size}, grid_size={self.grid_size}, '
                f'embed_dims={self.embed_dims}, cache_dir={self.cache_dir!r}')
