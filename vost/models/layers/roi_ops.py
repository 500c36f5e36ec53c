"""RoIAlign (average pooling) on any device: mmcv's op where it has a
kernel for the input's device, else torchvision's, else pure torch.

VOST pools boxes in two places (the VLM feature bank's union boxes,
:func:`~vost.models.vlm.pool_boxes`, and the SGCls pair queries,
:class:`~vost.models.query_generators.GTPairQueryGenerator`). mmcv built
without CUDA (``FORCE_CUDA=0``, the CPU install) has no GPU kernel, so a
CUDA tensor would fail there; :func:`roi_align` then uses torchvision's
``roi_align`` when torchvision is installed, or :func:`torch_roi_align`, a
vectorised implementation of the same sampling rule (Mask R-CNN /
Detectron2 ``aligned=True``: pixel centres at +0.5, ``sampling_ratio``
points per bin side, adaptive ``ceil(roi / output)`` when 0, bilinear
interpolation, points outside ``[-1, size]`` count as 0). On the CPU the
default stays mmcv's op; ``tests/test_models/test_roi_align.py`` checks the
torch path against it to 1e-5, values and gradients.
"""
from typing import Tuple, Union

import torch
from torch import Tensor

__all__ = ['roi_align', 'roi_align_mean', 'torch_roi_align', 'mmcv_has_kernel',
           'IMPLS']

IMPLS = ('auto', 'mmcv', 'torchvision', 'torch')


def mmcv_has_kernel(device: torch.device) -> bool:
    """Whether the installed mmcv has kernels (RoIAlign, NMS) for ``device``:
    always on the CPU; on CUDA only when mmcv was compiled with CUDA
    (``FORCE_CUDA=1``)."""
    if device.type == 'cpu':
        return True
    if device.type != 'cuda':
        return False
    try:
        from mmcv.ops import get_compiling_cuda_version
    except ImportError:  # mmcv without compiled ops
        return False
    return get_compiling_cuda_version() != 'not available'


def _pair(size: Union[int, Tuple[int, int]]) -> Tuple[int, int]:
    return (size, size) if isinstance(size, int) else tuple(size)


def _bilinear_weights(y: Tensor, x: Tensor, height: int,
                      width: int) -> Tuple[Tensor, Tensor]:
    """RoIAlign's bilinear sampling rule at points (R, P) of an
    (H, W) map: the 4 cells and weights of each point.

    A point beyond ``[-1, H] x [-1, W]`` samples 0; otherwise it is clamped
    into the map (mmcv's and Detectron2's ``bilinear_interpolate``).

    Returns:
        tuple[Tensor, Tensor]: ``index`` (R, P, 4) long flat cell indices
        ``y * W + x`` and ``weight`` (R, P, 4).
    """
    valid = (y >= -1.0) & (y <= height) & (x >= -1.0) & (x <= width)
    y = y.clamp(min=0)
    x = x.clamp(min=0)
    y_low = y.floor().clamp(max=height - 1)
    x_low = x.floor().clamp(max=width - 1)
    y = torch.where(y_low >= height - 1, y_low, y)
    x = torch.where(x_low >= width - 1, x_low, x)
    y_high = (y_low + 1).clamp(max=height - 1)
    x_high = (x_low + 1).clamp(max=width - 1)
    ly, lx = y - y_low, x - x_low
    hy, hx = 1 - ly, 1 - lx
    index = torch.stack([
        y_low.long() * width + x_low.long(),
        y_low.long() * width + x_high.long(),
        y_high.long() * width + x_low.long(),
        y_high.long() * width + x_high.long()
    ], -1)
    weight = torch.stack([hy * hx, hy * lx, ly * hx, ly * lx], -1)
    return index, weight * valid.unsqueeze(-1).to(weight.dtype)


def _bilinear(feat: Tensor, y: Tensor, x: Tensor) -> Tensor:
    """Sample ``feat`` (C, H, W) at points (R, P): returns (R, P, C)."""
    index, weight = _bilinear_weights(y, x, *feat.shape[-2:])
    flat = feat.flatten(1)  # (C, H*W)
    vals = flat[:, index.flatten()].view(flat.size(0), *index.shape)
    return (vals * weight).sum(-1).permute(1, 2, 0)  # (R, P, C)


def _sample_points(boxes: Tensor, out_h: int, out_w: int, grid_h: int,
                   grid_w: int) -> Tuple[Tensor, Tensor]:
    """RoIAlign's sample points of rois (R, 4 xyxy, feature coordinates)
    with a fixed grid: ``y``, ``x`` (R, out_h * grid_h * out_w * grid_w),
    bin-major (row bin, row sample, column bin, column sample)."""
    x1, y1, x2, y2 = (boxes[:, i:i + 1] for i in range(4))
    bin_h = (y2 - y1) / out_h
    bin_w = (x2 - x1) / out_w
    dev, dt = boxes.device, boxes.dtype
    ph = torch.arange(out_h, device=dev, dtype=dt).repeat_interleave(grid_h)
    iy = torch.arange(grid_h, device=dev, dtype=dt).repeat(out_h)
    pw = torch.arange(out_w, device=dev, dtype=dt).repeat_interleave(grid_w)
    ix = torch.arange(grid_w, device=dev, dtype=dt).repeat(out_w)
    ys = y1 + bin_h * (ph + (iy + 0.5) / grid_h)  # (R, out_h * grid_h)
    xs = x1 + bin_w * (pw + (ix + 0.5) / grid_w)  # (R, out_w * grid_w)
    num_y, num_x = ys.size(1), xs.size(1)
    return (ys[:, :, None].expand(-1, num_y, num_x).flatten(1),
            xs[:, None, :].expand(-1, num_y, num_x).flatten(1))


def _prepare_rois(rois: Tensor, dtype: torch.dtype, spatial_scale: float,
                  aligned: bool) -> Tensor:
    """(R, 4) xyxy in feature coordinates (half-pixel shift or the legacy
    1-pixel minimum size)."""
    boxes = rois[:, 1:].to(dtype) * spatial_scale
    if aligned:
        return boxes - 0.5
    size = (boxes[:, 2:] - boxes[:, :2]).clamp(min=1.0)
    return torch.cat([boxes[:, :2], boxes[:, :2] + size], 1)


def roi_align_mean(input: Tensor,
                   rois: Tensor,
                   output_size: Union[int, Tuple[int, int]],
                   spatial_scale: float = 1.0,
                   sampling_ratio: int = 2,
                   aligned: bool = True) -> Tensor:
    """RoIAlign averaged over its bins, as one matrix product.

    Equal to ``roi_align(...).mean((-2, -1))`` with a fixed
    ``sampling_ratio``: every sample point's bilinear weights are summed
    into an (R, N * H * W) matrix that multiplies the (N * H * W, C)
    features. On a small map (the VLM's patch grid) this is far cheaper
    than gathering every sample point per channel (mmcv's CPU kernel).
    Any device, differentiable in ``input``.

    Args:
        input (Tensor): (N, C, H, W) features.
        rois (Tensor): (R, 5) ``(batch index, x1, y1, x2, y2)`` in input
            image coordinates.
        output_size (int | tuple[int, int]): (out_h, out_w) bins.
        spatial_scale (float): Image to feature coordinates.
        sampling_ratio (int): Sample points per bin side (> 0).
        aligned (bool): Half-pixel shift (Detectron2's ``aligned``).

    Returns:
        Tensor: (R, C), in ``input``'s dtype.
    """
    if sampling_ratio <= 0:
        raise ValueError('roi_align_mean needs a fixed sampling_ratio > 0, '
                         f'got {sampling_ratio}')
    out_h, out_w = _pair(output_size)
    num, channels, height, width = input.shape
    if rois.numel() == 0:
        return input.new_zeros(0, channels)
    boxes = _prepare_rois(rois, input.dtype, spatial_scale, aligned)
    y, x = _sample_points(boxes, out_h, out_w, sampling_ratio,
                          sampling_ratio)
    index, weight = _bilinear_weights(y, x, height, width)
    index = index + (rois[:, 0].long() * (height * width)).view(-1, 1, 1)
    matrix = input.new_zeros(rois.size(0), num * height * width)
    matrix.scatter_add_(1, index.flatten(1), weight.flatten(1))
    feats = input.flatten(2).transpose(1, 2).reshape(-1, channels)
    return (matrix @ feats) / y.size(1)


def _align_group(feat: Tensor, rois: Tensor, out_h: int, out_w: int,
                 grid_h: int, grid_w: int) -> Tensor:
    """RoIAlign of rois (R, 4 xyxy, feature coordinates) on one frame
    (C, H, W) with a fixed sampling grid: (R, C, out_h, out_w)."""
    y, x = _sample_points(rois, out_h, out_w, grid_h, grid_w)
    vals = _bilinear(feat, y, x)  # (R, num_y * num_x, C)
    vals = vals.view(-1, out_h, grid_h, out_w, grid_w, feat.size(0))
    pooled = vals.sum((2, 4)) / max(grid_h * grid_w, 1)
    return pooled.permute(0, 3, 1, 2)


def torch_roi_align(input: Tensor,
                    rois: Tensor,
                    output_size: Union[int, Tuple[int, int]],
                    spatial_scale: float = 1.0,
                    sampling_ratio: int = 0,
                    aligned: bool = True) -> Tensor:
    """RoIAlign (average) in plain torch, any device, differentiable in
    ``input``.

    Args:
        input (Tensor): (N, C, H, W) features.
        rois (Tensor): (R, 5) ``(batch index, x1, y1, x2, y2)`` in input
            image coordinates.
        output_size (int | tuple[int, int]): (out_h, out_w) bins.
        spatial_scale (float): Image to feature coordinates.
        sampling_ratio (int): Sample points per bin side; 0: adaptive,
            ``ceil(roi side / output side)`` per roi.
        aligned (bool): Shift by half a pixel (Detectron2's ``aligned``);
            without it rois are at least 1 pixel.

    Returns:
        Tensor: (R, C, out_h, out_w), in ``input``'s dtype.
    """
    out_h, out_w = _pair(output_size)
    out = input.new_zeros(rois.size(0), input.size(1), out_h, out_w)
    if rois.numel() == 0:
        return out
    boxes = _prepare_rois(rois, input.dtype, spatial_scale, aligned)
    frame = rois[:, 0].long()
    if sampling_ratio > 0:
        grids = torch.full((rois.size(0), 2), sampling_ratio,
                           dtype=torch.long, device=rois.device)
    else:
        sides = (boxes[:, 2:] - boxes[:, :2]).flip(1)  # (h, w)
        bins = sides.new_tensor([out_h, out_w])
        # a degenerate roi gets no sample point and pools 0, as in mmcv
        grids = torch.ceil(sides / bins).long()
    # one vectorised call per (frame, grid) group
    keys = torch.stack([frame, grids[:, 0], grids[:, 1]], 1)
    for key in torch.unique(keys, dim=0).tolist():
        if key[1] <= 0 or key[2] <= 0:
            continue
        sel = (keys == keys.new_tensor(key)).all(1).nonzero().flatten()
        out[sel] = _align_group(input[key[0]], boxes[sel], out_h, out_w,
                                key[1], key[2])
    return out


def roi_align(input: Tensor,
              rois: Tensor,
              output_size: Union[int, Tuple[int, int]],
              spatial_scale: float = 1.0,
              sampling_ratio: int = 0,
              aligned: bool = True,
              impl: str = 'auto') -> Tensor:
    """Average RoIAlign with mmcv's arguments, on any device.

    Args:
        input (Tensor): (N, C, H, W) features.
        rois (Tensor): (R, 5) ``(batch index, x1, y1, x2, y2)``.
        output_size (int | tuple[int, int]): (out_h, out_w) bins.
        spatial_scale (float): Image to feature coordinates.
        sampling_ratio (int): Sample points per bin side (0: adaptive).
        aligned (bool): Half-pixel shift (True in VOST).
        impl (str): ``'auto'`` (mmcv where it has a kernel for the
            device, else torchvision if installed, else torch),
            ``'mmcv'``, ``'torchvision'`` or ``'torch'``.

    Returns:
        Tensor: (R, C, out_h, out_w).
    """
    if impl not in IMPLS:
        raise ValueError(f'roi_align: impl must be one of {IMPLS}, got '
                         f'{impl!r}')
    if impl == 'auto':
        if mmcv_has_kernel(input.device):
            impl = 'mmcv'
        else:
            try:
                import torchvision  # noqa: F401
                impl = 'torchvision'
            except ImportError:
                impl = 'torch'
    size = _pair(output_size)
    if impl == 'mmcv':
        from mmcv.ops import roi_align as mmcv_roi_align
        if input.dtype in (torch.float32, torch.float64):
            return mmcv_roi_align(input, rois, size, spatial_scale,
                                  sampling_ratio, 'avg', aligned)
        # mmcv's CPU kernel has no bfloat16 / float16 (autocast): pool in
        # float32 and hand back the input's dtype
        return mmcv_roi_align(input.float(), rois.float(), size,
                              spatial_scale, sampling_ratio, 'avg',
                              aligned).to(input.dtype)
    if impl == 'torchvision':
        from torchvision.ops import roi_align as tv_roi_align
        return tv_roi_align(input, rois.to(input.dtype), size,
                            spatial_scale, sampling_ratio, aligned)
    return torch_roi_align(input, rois, size, spatial_scale, sampling_ratio,
                           aligned)

