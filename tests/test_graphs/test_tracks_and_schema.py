"""Tracks across frames, the video record, its JSON Schema and exports."""
import json

import networkx as nx
import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData

from vost.graphs import (NodeTracker, VideoSceneGraphBuilder,
                         frame_graph_to_node_link, validate_scene_graph)
from vost.structures import SGDataSample

CUP, TV = 11, 33


def _node(nid, label, box, score=0.9):
    return dict(id=nid, label=label, label_name=str(label),
                bbox=[float(v) for v in box], score=score, members=[nid])


def _moving(t, jitter=0.0):
    """A person at rest, a cup moving right, a tv at rest."""
    rng = np.random.default_rng(t)
    j = rng.uniform(-jitter, jitter, 3)
    return [
        _node(0, 1, (10 + j[0], 10, 60, 120), 1.0),
        _node(1, CUP, (70 + 6 * t + j[1], 50, 90 + 6 * t, 70)),
        _node(2, TV, (150, 20 + j[2], 230, 80), 0.8),
    ]


def test_tracker_keeps_identities_of_moving_objects():
    tracker = NodeTracker()
    ids = [tracker.update(dict(nodes=_moving(t, jitter=2.0)))
           for t in range(8)]
    assert ids[0] == [1, 2, 3]
    assert all(i == ids[0] for i in ids)


def test_tracker_is_class_aware_and_bridges_a_missed_frame():
    tracker = NodeTracker()
    tracker.update(dict(nodes=_moving(0)))
    tracker.update(dict(nodes=_moving(1)))
    # frame 2: the cup is missed, the tv is relabelled as a laptop (19)
    nodes = _moving(2)
    nodes = [nodes[0], dict(nodes[2], label=19, id=1)]
    ids = tracker.update(dict(nodes=nodes))
    assert ids[0] == 1 and ids[1] not in (2, 3)
    # frame 3: the cup is back where its motion says: the same track
    ids = tracker.update(dict(nodes=_moving(3)))
    assert ids[:2] == [1, 2]
    # low scores never start a track
    tracker.reset()
    ids = tracker.update(dict(nodes=[_node(0, CUP, (0, 0, 9, 9), 0.2)]))
    assert ids == [None]


def _sample(t, key):
    """A frame prediction: two queries on the moving cup, one on the tv."""
    cup = [70 + 6 * t, 50, 90 + 6 * t, 70]
    inst = InstanceData(
        bboxes=torch.tensor([[10., 10., 60., 120.], cup,
                             [c + 0.5 for c in cup], [150., 20., 230., 80.]]),
        labels=torch.tensor([1, CUP, CUP, TV]),
        scores=torch.tensor([1.0, 0.9, 0.7, 0.8]))
    att = torch.tensor([[0.9, 0.1, 0.], [0.8, 0.2, 0.], [0., 1., 0.]])
    con = torch.zeros(3, 17)
    if t < 3:
        con[:2, 5] = 0.9  # holding the cup in frames 0-2
    pairs = InstanceData(
        pair_inds=torch.tensor([[0, 1], [0, 2], [0, 3]]),
        attention_scores=att, spatial_scores=torch.zeros(3, 6),
        contacting_scores=con)
    sample = SGDataSample(metainfo=dict(frame_key=key, img_path=key))
    sample.pred_instances = inst
    sample.pred_pairs = pairs
    return sample


@pytest.fixture
def record():
    builder = VideoSceneGraphBuilder('toy.mp4')
    graphs = [builder.update(_sample(t, f'toy.mp4/{t:06d}.png'),
                             frame_index=2 * t) for t in range(5)]
    for g in graphs:
        validate_scene_graph(g, 'frame')
    return builder.result(), graphs


def test_video_record_tracks_and_intervals(record):
    video, graphs = record
    validate_scene_graph(json.loads(json.dumps(video)), 'video_graph.json')
    assert all(len(g['nodes']) == 3 for g in graphs)  # one node per object
    assert [(t['track_id'], t['label_name'], t['num_frames'])
            for t in video['tracks']] == [(1, 'person', 5),
                                          (2, 'cup/glass/bottle', 5),
                                          (3, 'television', 5)]
    assert video['tracks'][1]['end_frame'] == 8
    rel = {(i['subject'], i['predicate'], i['object']):
           (i['start_frame'], i['end_frame'])
           for i in video['relation_intervals']}
    assert rel == {(1, 'holding', 2): (0, 4), (1, 'looking_at', 2): (0, 8),
                   (1, 'not_looking_at', 3): (0, 8)}
    assert video['settings']['tracker']['type'] == 'mmdet.ByteTracker'


def test_schema_rejects_bad_records(record):
    video, graphs = record
    bad = json.loads(json.dumps(video))
    del bad['tracks'][0]['boxes']
    with pytest.raises(ValueError, match=r"out.json: field tracks/0: "
                       r"'boxes' is a required property"):
        validate_scene_graph(bad, 'out.json')
    bad = json.loads(json.dumps(video))
    bad['relation_intervals'][0]['object'] = 99
    with pytest.raises(ValueError, match='relation_intervals/0/object: '
                       'track 99 does not exist'):
        validate_scene_graph(bad)
    frame = json.loads(json.dumps(graphs[0]))
    frame['nodes'][1]['score'] = 1.5
    with pytest.raises(ValueError, match='field nodes/1/score'):
        validate_scene_graph(frame)
    with pytest.raises(ValueError, match='no "schema" field'):
        validate_scene_graph({'nodes': []}, 'x.json')


def test_node_link_export_reads_back_in_networkx(record):
    _, graphs = record
    data = json.loads(json.dumps(frame_graph_to_node_link(graphs[0])))
    assert 'links' in data
    import inspect
    kwargs = dict(edges='links') if 'edges' in inspect.signature(
        nx.node_link_graph).parameters else {}
    g = nx.node_link_graph(data, **kwargs)
    assert g.is_directed() and g.is_multigraph()
    assert sorted(g.nodes) == [0, 1, 2]
    assert g.nodes[1]['track_id'] == 2
    # person -> cup: looking_at and holding; person -> tv: not_looking_at
    assert sorted(k for _, _, k in g.edges(keys=True)) == [
        'holding', 'looking_at', 'not_looking_at']
