"""RoIAlign on any device: the pure-torch path equals mmcv's op on the CPU
(values and input gradients, 1e-5), and the dispatcher picks a path that
has a kernel for the device."""
import pytest
import torch
from mmcv.ops import roi_align as mmcv_roi_align

from vost.models.layers import roi_align, torch_roi_align
from vost.models.layers.roi_ops import mmcv_has_kernel


def _rois(num, height, width, seed):
    g = torch.Generator().manual_seed(seed)
    xy = torch.rand(num, 2, generator=g) * torch.tensor([width, height])
    wh = torch.rand(num, 2, generator=g) * torch.tensor([width, height])
    boxes = torch.cat([xy - 2, xy + wh], 1)  # some start outside
    boxes[0] = torch.tensor([3.0, 3.0, 3.0, 3.0])  # degenerate
    boxes[1] = torch.tensor([-8.0, -8.0, -2.0, -3.0])  # outside
    boxes[2] = torch.tensor([0.0, 0.0, width, height])  # whole image
    boxes[3] = torch.tensor([width - 1.2, height - 0.7, width + 5, height])
    inds = torch.randint(0, 2, (num, 1), generator=g).float()
    return torch.cat([inds, boxes], 1)


@pytest.mark.parametrize('sampling_ratio', [0, 2])
@pytest.mark.parametrize('aligned', [True, False])
@pytest.mark.parametrize('scale,out', [(1.0, (2, 2)), (0.25, (4, 3))])
def test_torch_path_equals_mmcv(sampling_ratio, aligned, scale, out):
    torch.manual_seed(0)
    feat = torch.randn(2, 5, 9, 13, dtype=torch.float64)
    rois = _rois(24, 9 / scale, 13 / scale, seed=1)
    a = feat.clone().float().requires_grad_()
    b = feat.clone().float().requires_grad_()
    ref = mmcv_roi_align(a, rois, out, scale, sampling_ratio, 'avg', aligned)
    got = torch_roi_align(b, rois, out, scale, sampling_ratio, aligned)
    assert got.shape == ref.shape == (24, 5, *out)
    assert torch.allclose(got, ref, atol=1e-5, rtol=0)
    assert ref[0].abs().max() > 0 or sampling_ratio == 0  # degenerate roi
    weights = torch.randn_like(ref)
    (ref * weights).sum().backward()
    (got * weights).sum().backward()
    assert torch.allclose(b.grad, a.grad, atol=1e-5, rtol=0)
    assert a.grad.abs().sum() > 0


@pytest.mark.parametrize('aligned', [True, False])
@pytest.mark.parametrize('scale,out,grid', [(1.0, (2, 2), 2),
                                            (0.25, (4, 3), 1)])
def test_mean_pooling_equals_mmcv_averaged(aligned, scale, out, grid):
    """roi_align_mean (one matrix product) = mmcv's RoIAlign averaged over
    its bins, values and input gradients, outside and degenerate rois
    included."""
    from vost.models.layers.roi_ops import roi_align_mean
    torch.manual_seed(0)
    feat = torch.randn(3, 6, 7, 7)
    rois = _rois(40, 7 / scale, 7 / scale, seed=2)
    rois[:, 0] = torch.arange(40) % 3
    a = feat.clone().requires_grad_()
    b = feat.clone().requires_grad_()
    ref = mmcv_roi_align(a, rois, out, scale, grid, 'avg', aligned).mean(
        (-2, -1))
    got = roi_align_mean(b, rois, out, scale, grid, aligned)
    assert got.shape == (40, 6)
    assert torch.allclose(got, ref, atol=1e-5, rtol=0)
    weights = torch.randn_like(ref)
    (ref * weights).sum().backward()
    (got * weights).sum().backward()
    assert torch.allclose(b.grad, a.grad, atol=1e-5, rtol=0)
    assert a.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='fixed sampling_ratio'):
        roi_align_mean(feat, rois, out, scale, 0, aligned)
    assert roi_align_mean(feat, rois[:0], out).shape == (0, 6)


def test_no_rois_and_dtype():
    feat = torch.randn(1, 3, 4, 4, dtype=torch.float64)
    out = torch_roi_align(feat, feat.new_zeros(0, 5), 2)
    assert out.shape == (0, 3, 2, 2) and out.dtype == torch.float64
    rois = torch.tensor([[0.0, 0.5, 0.5, 3.0, 3.0]])
    assert torch_roi_align(feat, rois, 2).dtype == torch.float64


def test_dispatcher():
    feat = torch.randn(1, 3, 6, 6)
    rois = torch.tensor([[0.0, 0.5, 1.0, 4.0, 5.5]])
    # the CPU default is mmcv's op, unchanged
    assert mmcv_has_kernel(torch.device('cpu'))
    assert torch.equal(roi_align(feat, rois, 2, 1.0, 2),
                       mmcv_roi_align(feat, rois, (2, 2), 1.0, 2, 'avg',
                                      True))
    assert torch.allclose(roi_align(feat, rois, 2, 1.0, 2, impl='torch'),
                          roi_align(feat, rois, 2, 1.0, 2), atol=1e-6)
    # this mmcv is built without CUDA: no kernel for CUDA tensors there,
    # so 'auto' takes torchvision or the torch path on a GPU
    from mmcv.ops import get_compiling_cuda_version
    assert mmcv_has_kernel(torch.device('cuda')) == (
        get_compiling_cuda_version() != 'not available')
    assert not mmcv_has_kernel(torch.device('meta'))
    with pytest.raises(ValueError, match='impl must be one of'):
        roi_align(feat, rois, 2, impl='cuda')


def test_without_an_mmcv_kernel_auto_falls_back(monkeypatch):
    # what a CUDA tensor meets under a CPU-only mmcv, simulated on the CPU
    import vost.models.heads.pair_post_processing as pp
    import vost.models.layers.roi_ops as ra
    torch.manual_seed(0)
    feat = torch.randn(2, 4, 7, 7)
    rois = _rois(10, 7, 7, seed=2)
    xy = torch.rand(30, 2) * 50
    boxes = torch.cat([xy, xy + 5 + torch.rand(30, 2) * 20], 1)
    scores, labels = torch.rand(30), torch.randint(0, 3, (30, ))
    ref_pool = roi_align(feat, rois, 2, 1.0, 2)
    ref_keep = pp._batched_nms(boxes, scores, labels, 0.3)
    assert 0 < len(ref_keep) < 30
    monkeypatch.setattr(ra, 'mmcv_has_kernel', lambda device: False)
    try:
        import torchvision  # noqa: F401
    except ImportError:  # this machine: the pure-torch path
        calls = []
        real = ra.torch_roi_align
        monkeypatch.setattr(ra, 'torch_roi_align',
                            lambda *a: calls.append(1) or real(*a))
        assert torch.allclose(ra.roi_align(feat, rois, 2, 1.0, 2),
                              ref_pool, atol=1e-5)
        assert calls == [1]
    assert torch.equal(pp._batched_nms(boxes, scores, labels, 0.3),
                       ref_keep)
