"""The scene-graph visualizer, the triplet ranking and the hook."""
import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData

from vost.structures import SGDataSample
from vost.visualization import (SGLocalVisualizer, gt_pairs_to_triplets,
                                pair_predictions_to_triplets, triplet_text)


def _prediction():
    inst = InstanceData(
        bboxes=torch.tensor([[10., 10., 60., 90.], [50., 40., 80., 70.],
                             [5., 70., 40., 95.]]),
        labels=torch.tensor([1, 11, 32]),
        scores=torch.tensor([1.0, 0.8, 0.5]))
    att = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])
    spa = torch.zeros(2, 6)
    spa[0, 2] = 0.9  # in_front_of
    spa[1, 1] = 0.6  # beneath
    spa[1, 5] = 0.4  # in: below the 0.5 threshold
    con = torch.zeros(2, 17)
    con[0, 5] = 0.95  # holding
    pairs = InstanceData(
        pair_inds=torch.tensor([[0, 1], [0, 2]]),
        attention_scores=att,
        spatial_scores=spa,
        contacting_scores=con)
    return inst, pairs


def test_pair_predictions_to_triplets_ranking():
    inst, pairs = _prediction()
    triplets = pair_predictions_to_triplets(inst, pairs, top_k=10)
    texts = [triplet_text(t, with_score=False) for t in triplets]
    # holding: 1 * 0.8 * 0.95; in_front_of 0.72; looking_at 0.56;
    # not_looking_at 1 * 0.5 * 0.8 = 0.4; beneath 0.3. 'in' (0.4) is out.
    assert texts == [
        'person holding cup/glass/bottle',
        'cup/glass/bottle in_front_of person',
        'person looking_at cup/glass/bottle',
        'person not_looking_at table',
        'table beneath person',
    ]
    scores = [t['score'] for t in triplets]
    assert scores == pytest.approx([0.76, 0.72, 0.56, 0.4, 0.3])
    assert len(pair_predictions_to_triplets(inst, pairs, top_k=2)) == 2


def test_gt_pairs_to_triplets_lists_every_label():
    inst = InstanceData(labels=torch.tensor([1, 5]))
    spatial = torch.zeros(1, 6)
    spatial[0, [0, 3]] = 1
    contacting = torch.zeros(1, 17)
    contacting[0, 5] = 1
    pairs = InstanceData(
        pair_inds=torch.tensor([[0, 1]]),
        attention=torch.tensor([2]),
        spatial=spatial,
        contacting=contacting)
    texts = {triplet_text(t, False) for t in gt_pairs_to_triplets(inst, pairs)}
    assert texts == {
        'person unsure book', 'book above person', 'book behind person',
        'person holding book'
    }


def _is_tint_of(pixel, color):
    """Whether an RGB pixel is ``color`` scaled by one factor (the box
    line drawn with some alpha over the black frame)."""
    ratio = np.asarray(pixel, float) / np.asarray(color, float)
    return 0.5 < ratio.mean() <= 1 and np.ptp(ratio) < 0.05


def test_visualizer_draws_frame_and_panel(tmp_path):
    import mmcv

    from vost.visualization.sg_visualizer import (_OBJECT_COLORS,
                                                  _PERSON_COLOR)
    vis = SGLocalVisualizer(name='test_vis_draw', panel_width=200)
    inst, pairs = _prediction()
    sample = SGDataSample()
    sample.pred_instances = inst
    sample.pred_pairs = pairs
    image = np.zeros((100, 120, 3), dtype=np.uint8)
    out_file = tmp_path / 'frame.png'
    drawn = vis.add_datasample(
        'frame', image, sample, draw_gt=False, out_file=str(out_file))
    # frame (120 wide) + panel (200); the panel's height: title and graph
    # (30 + 220), one 13-px line per triplet (5 here), a 10-px margin
    assert drawn.shape == (30 + 220 + 13 * 5 + 10, 120 + 200, 3)
    # the file holds exactly the returned drawing (BGR on disk)
    np.testing.assert_array_equal(mmcv.imread(str(out_file))[..., ::-1],
                                  drawn)
    # each box's edges in its colour: the person (10,10)-(60,90), the cup
    # (object 1) right edge at x=80, the table (object 2) left edge at x=5
    for x, y in ((10, 50), (60, 50), (35, 10), (35, 90)):
        assert _is_tint_of(drawn[y, x], _PERSON_COLOR), (x, y, drawn[y, x])
    assert _is_tint_of(drawn[55, 80], _OBJECT_COLORS[1]), drawn[55, 80]
    assert _is_tint_of(drawn[80, 5], _OBJECT_COLORS[2]), drawn[80, 5]
    # away from every box and label the frame stays black, and below the
    # frame's 100 rows it is padded white up to the panel's height
    assert drawn[75:100, 85:120].max() == 0
    assert (drawn[100:, :120] == 255).all()
    # the panel: white paper with dark text (title, graph, triplet lines)
    panel = drawn[:, 120:]
    assert (panel == 255).mean() > 0.5
    assert (panel.max(-1) < 100).sum() > 100
