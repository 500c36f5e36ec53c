"""pool_boxes: the grid-coordinate mapping, checked on linear ramps."""
import pytest
import torch

from vost.models.vlm import pool_boxes, union_boxes


def xyxy_to_cxcywh(x1, y1, x2, y2):
    return [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1]


@pytest.mark.parametrize('impl', ['roi_align', 'matmul'])
def test_ramps_pool_to_box_centres(impl):
    """Bilinear sampling reproduces a linear ramp: the mean is its value at
    the box centre, in grid-cell units (cell j has value j)."""
    h, w = 4, 8
    cols = torch.arange(w, dtype=torch.float32).expand(h, w)
    rows = torch.arange(h, dtype=torch.float32)[:, None].expand(h, w)
    grid = torch.stack([cols, rows])[None]  # (1, 2, 4, 8)
    boxes = torch.tensor([[
        xyxy_to_cxcywh(0.25, 0.5, 0.75, 0.875),  # grid x 2..6, y 2..3.5
        xyxy_to_cxcywh(0.5, 0.25, 0.75, 0.75),  # grid x 4..6, y 1..3
    ]])
    out = pool_boxes(grid, boxes, output_size=2, impl=impl)
    assert out.shape == (1, 2, 2)
    # value of cell j is centred at j + 0.5: box x 2..6 -> centre 4 -> 3.5;
    # y 2..3.5 -> centre 2.75 -> 2.25 (samples stay inside the grid).
    torch.testing.assert_close(out[0, 0], torch.tensor([3.5, 2.25]))
    torch.testing.assert_close(out[0, 1], torch.tensor([4.5, 1.5]))


@pytest.mark.parametrize('impl', ['roi_align', 'matmul'])
def test_frames_are_pooled_separately(impl):
    grid = torch.stack([torch.zeros(1, 3, 3), torch.ones(1, 3, 3)])
    boxes = torch.tensor([[[0.5, 0.5, 0.4, 0.4]]]).repeat(2, 1, 1)
    out = pool_boxes(grid, boxes, impl=impl)
    torch.testing.assert_close(out.view(-1), torch.tensor([0., 1.]))
    with pytest.raises(ValueError, match='2 grids but boxes for 1 frames'):
        pool_boxes(grid, boxes[:1])


def test_union_boxes():
    sub = torch.tensor([xyxy_to_cxcywh(0.1, 0.2, 0.3, 0.4)])
    obj = torch.tensor([xyxy_to_cxcywh(0.2, 0.1, 0.6, 0.3)])
    torch.testing.assert_close(
        union_boxes(sub, obj),
        torch.tensor([xyxy_to_cxcywh(0.1, 0.1, 0.6, 0.4)]))


def test_both_impls_agree_on_random_boxes():
    torch.manual_seed(0)
    grid = torch.randn(3, 16, 7, 7)
    centres = torch.rand(3, 50, 2) * 1.2 - 0.1  # some beyond the image
    boxes = torch.cat([centres, torch.rand(3, 50, 2) * 0.8], -1)
    a = pool_boxes(grid, boxes, impl='roi_align')
    b = pool_boxes(grid, boxes, impl='matmul')
    torch.testing.assert_close(b, a, atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="impl must be one of"):
        pool_boxes(grid, boxes, impl='fast')
