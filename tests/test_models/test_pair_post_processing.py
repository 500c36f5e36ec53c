"""Pair ranking, filtering and box rescaling, hand-computed."""
import pytest
import torch

from vost.models.heads import build_frame_prediction, rank_pairs, rescale_boxes


def _probs(max_values):
    probs = torch.zeros(len(max_values), 26)
    probs[:, 4] = torch.tensor(max_values)
    return probs


def test_rank_pairs_object_x_predicate_topk_and_threshold():
    scores = torch.tensor([0.9, 0.5, 0.8, 0.2])
    labels = torch.tensor([2, 3, 4, 5])
    boxes = torch.tensor([[0., 0, 10, 10]] * 4)
    # pair scores 0.45, 0.5, 0.08, 0.2
    keep, pair = rank_pairs(scores, labels, boxes,
                            _probs([0.5, 1.0, 0.1, 1.0]), max_per_img=2)
    assert keep.tolist() == [1, 0]
    assert pair.tolist() == pytest.approx([0.5, 0.45])
    keep, _ = rank_pairs(scores, labels, boxes, _probs([0.5, 1.0, 0.1, 1.0]),
                         score_thr=0.15)
    assert keep.tolist() == [1, 0, 3]
    keep, _ = rank_pairs(scores, labels, boxes, _probs([0.5, 1.0, 0.1, 1.0]),
                         pair_score='object')
    assert keep.tolist() == [0, 2, 1, 3]


def test_pair_nms_same_label_only():
    scores = torch.tensor([0.9, 0.8, 0.7])
    labels = torch.tensor([2, 2, 3])
    boxes = torch.tensor([[0., 0, 10, 10], [0., 0, 10, 11], [0., 0, 10, 10]])
    keep, _ = rank_pairs(scores, labels, boxes, _probs([1., 1., 1.]),
                         pair_nms=dict(iou_threshold=0.5))
    assert keep.tolist() == [0, 2]


def test_rescale_boxes_hand_computed():
    meta = dict(img_shape=(100, 200), ori_shape=(50, 100),
                scale_factor=(2., 2.))
    boxes = torch.tensor([[0.5, 0.5, 0.2, 0.4], [0.95, 0.5, 0.2, 0.2]])
    out = rescale_boxes(boxes, meta)
    torch.testing.assert_close(
        out, torch.tensor([[40., 15., 60., 35.], [85., 20., 100., 30.]]))
    out = rescale_boxes(boxes, meta, rescale=False)
    assert out[0].tolist() == pytest.approx([80., 30., 120., 70.])


def test_person_box_weighted_mean():
    sub = torch.tensor([[0., 0, 10, 10], [10., 10, 20, 20]])
    inst, pairs = build_frame_prediction(
        sub, sub, torch.tensor([0.9, 0.3]), torch.tensor([4, 5]),
        torch.full((2, 3), 1 / 3), torch.zeros(2, 6), torch.zeros(2, 17),
        torch.tensor([0.3, 0.1]))
    assert inst.bboxes[0].tolist() == pytest.approx([2.5, 2.5, 12.5, 12.5])
    assert inst.labels.tolist() == [1, 4, 5]
    assert pairs.pair_inds.tolist() == [[0, 1], [0, 2]]
