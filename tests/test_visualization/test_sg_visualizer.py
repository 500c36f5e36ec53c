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


def test_visualizer_draws_frame_and_panel(tmp_path):
    vis = SGLocalVisualizer(name='test_vis_draw', panel_width=200)
    inst, pairs = _prediction()
    sample = SGDataSample()
    sample.pred_instances = inst
    sample.pred_pairs = pairs
    image = np.zeros((100, 120, 3), dtype=np.uint8)
    out_file = tmp_path / 'frame.png'
    drawn = vis.add_datasample(
        'frame', image, sample, draw_gt=False, out_file=str(out_file))
    # Frame (120 wide) plus the graph panel, at least as tall as the panel.
    assert drawn.shape[1] == 120 + 200
    assert drawn.shape[0] >= 100
    assert out_file.exists()
    # Boxes were drawn on the black frame; the panel is mostly white.
    assert drawn[:100, :120].max() > 0
    assert (drawn[:, 120:] == 255).mean() > 0.5
