"""One frame's graph: duplicate instances merge into one node per object."""
import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData

from vost.graphs import FrameGraphBuilder

TV, CUP = 33, 11  # television, cup/glass/bottle


def _probs(rows, width):
    out = torch.zeros(len(rows), width)
    for r, row in enumerate(rows):
        for k, v in row.items():
            out[r, k] = v
    return out


def _frame():
    """A person, one television found by two queries, a cup and a second
    television elsewhere (the layout of the issue's four-television
    frame, smaller)."""
    inst = InstanceData(
        bboxes=torch.tensor([[10., 10., 60., 120.],    # person
                             [100., 20., 200., 100.],  # tv, query A
                             [102., 22., 200., 102.],  # tv, query B (dup)
                             [40., 60., 60., 80.],     # cup
                             [210., 20., 300., 100.]]),  # another tv
        labels=torch.tensor([1, TV, TV, CUP, TV]),
        scores=torch.tensor([1.0, 0.9, 0.6, 0.8, 0.5]))
    pairs = InstanceData(
        pair_inds=torch.tensor([[0, 1], [0, 2], [0, 3], [0, 4]]),
        attention_scores=_probs([{0: .9, 1: .1}, {0: .1, 1: .9},
                                 {1: .7, 2: .3}, {1: 1.}], 3),
        spatial_scores=_probs([{2: .8}, {2: .6, 3: .6}, {2: .9}, {}], 6),
        contacting_scores=_probs([{8: .9}, {8: .5}, {5: .95}, {8: .4}],
                                 17),
        scores=torch.tensor([0.8, 0.2, 0.76, 0.5]))
    return inst, pairs


def test_duplicates_merge_into_one_node():
    graph = FrameGraphBuilder()(*_frame(), meta=dict(frame_key='v/1.png'))
    assert graph['frame_key'] == 'v/1.png'
    names = [(n['id'], n['label_name'], n['members']) for n in graph['nodes']]
    # person first, then objects by score; the two tv queries are one node
    assert names == [(0, 'person', [0]), (1, 'television', [1, 2]),
                     (2, 'cup/glass/bottle', [3]), (3, 'television', [4])]
    tv = graph['nodes'][1]
    assert tv['bbox'] == [100., 20., 200., 100.]  # its best instance's box
    assert tv['score'] == pytest.approx(0.9)
    edges = {(e['subject'], e['object']): e for e in graph['edges']}
    assert sorted(edges) == [(0, 1), (0, 2), (0, 3)]
    assert edges[(0, 1)]['pairs'] == [0, 1]


def test_edge_predicates_weighted_mean_by_hand():
    graph = FrameGraphBuilder()(*_frame())
    edge = next(e for e in graph['edges'] if e['object'] == 1)
    # weights 0.8, 0.2: attention (0.8*[.9,.1] + 0.2*[.1,.9]) = [.74, .26]
    assert edge['attention'] == dict(predicate='looking_at',
                                     score=pytest.approx(0.74))
    # in_front_of 0.8*.8 + 0.2*.6 = 0.76; behind 0.2*.6 = 0.12 (< 0.5)
    assert [p['predicate'] for p in edge['spatial']] == ['in_front_of']
    assert edge['spatial'][0]['score'] == pytest.approx(0.76)
    # not_contacting 0.8*.9 + 0.2*.5 = 0.82
    assert edge['contacting'] == [dict(predicate='not_contacting',
                                       score=pytest.approx(0.82))]
    # score = person 1 x tv 0.9 x best probability 0.82
    assert edge['score'] == pytest.approx(0.9 * 0.82, abs=1e-4)
    cup = next(e for e in graph['edges'] if e['object'] == 2)
    assert cup['attention']['predicate'] == 'not_looking_at'
    assert [p['predicate'] for p in cup['contacting']] == ['holding']
    # edges by decreasing score: cup 0.8*0.95 = 0.76 > tv 0.738
    assert [e['object'] for e in graph['edges']] == [2, 1, 3]


def test_edge_reduce_max():
    graph = FrameGraphBuilder(edge_reduce='max')(*_frame())
    edge = next(e for e in graph['edges'] if e['object'] == 1)
    assert edge['attention']['score'] == pytest.approx(0.9)
    assert [p['predicate'] for p in edge['spatial']] == [
        'in_front_of', 'behind'
    ]
    with pytest.raises(ValueError, match='edge_reduce'):
        FrameGraphBuilder(edge_reduce='mean')


def test_thresholds_drop_nodes_and_their_edges():
    inst, pairs = _frame()
    graph = FrameGraphBuilder(node_score_thr=0.55)(inst, pairs)
    assert [n['members'] for n in graph['nodes']] == [[0], [1, 2], [3]]
    assert all(e['object'] != 3 for e in graph['edges'])
    graph = FrameGraphBuilder(node_iou_thr=0.99)(inst, pairs)
    assert len(graph['nodes']) == 5  # the duplicate no longer merges


def test_other_class_and_several_people_stay_apart():
    inst = InstanceData(
        bboxes=torch.tensor([[0., 0., 50., 100.], [200., 0., 250., 100.],
                             [1., 1., 50., 100.], [60., 60., 90., 90.],
                             [60., 60., 90., 90.]]),
        labels=torch.tensor([1, 1, 1, CUP, TV]),
        scores=torch.tensor([0.9, 0.95, 0.7, 0.8, 0.8]))
    pairs = InstanceData(
        pair_inds=torch.tensor([[0, 3], [1, 4], [2, 3]]),
        attention_scores=torch.full((3, 3), 1 / 3),
        spatial_scores=torch.zeros(3, 6),
        contacting_scores=torch.zeros(3, 17))
    graph = FrameGraphBuilder()(inst, pairs)
    # two people (the third box duplicates the first), then cup and tv on
    # the same box: different classes never merge
    assert [n['members'] for n in graph['nodes']] == [[1], [0, 2], [3], [4]]
    assert [n['label'] for n in graph['nodes']] == [1, 1, CUP, TV]
    assert sorted((e['subject'], e['object']) for e in graph['edges']) == [
        (0, 3), (1, 2)
    ]


def test_cluster_invariants_on_random_boxes():
    rng = np.random.default_rng(0)
    builder = FrameGraphBuilder(node_iou_thr=0.5, node_score_thr=0.2)
    for _ in range(20):
        n = 30
        xy = rng.uniform(0, 100, (n, 2))
        wh = rng.uniform(5, 40, (n, 2))
        boxes = np.concatenate([xy, xy + wh], 1).astype(np.float32)
        labels = rng.integers(1, 4, n)
        scores = rng.uniform(0, 1, n).astype(np.float32)
        leader = builder.cluster(boxes, labels, scores)
        assert ((leader >= 0) == (scores >= 0.2)).all()
        for i in np.flatnonzero(leader >= 0):
            j = leader[i]
            assert leader[j] == j and labels[j] == labels[i]
            assert scores[j] >= scores[i]
        from vost.evaluation.functional.track_metrics import box_iou
        heads = np.flatnonzero(leader == np.arange(n))
        iou = box_iou(boxes[heads], boxes[heads])
        same = labels[heads][:, None] == labels[heads][None]
        np.fill_diagonal(same, False)
        # a leader never overlaps an earlier leader of its class enough
        assert (iou[same] < 0.5).all()
