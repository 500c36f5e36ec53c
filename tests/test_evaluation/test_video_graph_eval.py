"""Synthetic identities and the video scene graph evaluation end to end."""
import pickle

import pytest

from vost.ag_format.files import AGAnnotationError
from vost.datasets.synthetic import make_synthetic_ag
from vost.evaluation.video_graphs import (PERSON_ID, evaluate_video_graphs,
                                          frame_local_identities,
                                          synthetic_identity_gt)
from vost.structures.ag_meta import class_name


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('syn'))
    make_synthetic_ag(root, num_videos=8, num_frames=5, seed=3,
                      size=(128, 128), test_fraction=0.5)
    return root


def _track(ident):
    return 1 if ident == PERSON_ID else ident + 2


def _perfect_graphs(gt):
    """Frame graphs that say exactly what the GT says."""
    graphs = []
    for objects, rels in zip(gt['objects'], gt['relations']):
        nodes = [dict(id=k, label=label, label_name=class_name(label),
                      bbox=list(box), score=1.0, members=[k],
                      track_id=_track(ident))
                 for k, (ident, label, box) in enumerate(objects)]
        node_of = {ident: k for k, (ident, _, _) in enumerate(objects)}
        edges = {}
        for _, group, pred, ident in sorted(rels, key=str):
            e = edges.setdefault(ident, dict(
                subject=node_of[PERSON_ID], object=node_of[ident], score=1.,
                attention=None, spatial=[], contacting=[], pairs=[0]))
            p = dict(predicate=pred, score=1.0)
            if group == 'attention':
                e['attention'] = p
            else:
                e[group].append(p)
        graphs.append(dict(nodes=nodes, edges=list(edges.values())))
    return graphs


def test_identities_follow_the_object_lists(root):
    gt = synthetic_identity_gt(root, 'test') + synthetic_identity_gt(
        root, 'train')
    assert len(gt) >= 4
    for video in gt:
        assert len(video['objects']) == len(video['frame_keys']) >= 3
        label_of = {}
        for objects, rels in zip(video['objects'], video['relations']):
            idents = [o[0] for o in objects]
            assert idents[0] == PERSON_ID and len(set(idents)) == len(idents)
            for ident, label, box in objects:
                assert label_of.setdefault(ident, label) == label
                assert box[2] > box[0] and box[3] > box[1]
            assert rels and {r[3] for r in rels} <= set(idents)
            # every visible object has exactly one attention label
            att = [r[3] for r in rels if r[1] == 'attention']
            assert sorted(att) == sorted(idents[1:])


def test_perfect_graphs_score_one_and_frame_local_ids_do_not(root):
    gt = synthetic_identity_gt(root, 'test')
    preds = {v['video_id']: dict(graphs=_perfect_graphs(v)) for v in gt}
    res = evaluate_video_graphs(gt, preds, max_gap=0)
    assert res['idf1'] == 1.0 and res['mota'] == 1.0
    assert res['id_switches'] == 0 and res['fragmentations'] == 0
    assert res['interval_recall'] == 1.0
    assert res['interval_precision'] == 1.0
    assert res['gt_intervals'] > len(gt)
    local = {k: frame_local_identities(v) for k, v in preds.items()}
    res = evaluate_video_graphs(gt, local, max_gap=0)
    frames = sum(len(v['objects']) for v in gt)
    # every box right, but a new identity in every frame
    assert res['fp'] == 0 and res['fn'] == 0
    assert res['id_switches'] > 0 and res['mota'] < 1.0
    assert res['idf1'] < 0.5
    assert res['interval_recall'] < 1.0
    assert res['num_gt'] == sum(len(o) for v in gt for o in v['objects'])
    assert frames == sum(len(v['graphs']) for v in local.values())
    with pytest.raises(KeyError, match='no prediction for video'):
        evaluate_video_graphs(gt, {}, max_gap=0)


def test_other_object_order_is_refused(root, tmp_path):
    import shutil
    copy = str(tmp_path / 'copy')
    shutil.copytree(root, copy)
    path = f'{copy}/annotations/object_bbox_and_relationship.pkl'
    with open(path, 'rb') as f:
        objects = pickle.load(f)
    keys = [k for v in synthetic_identity_gt(root, 'test')
            for k in v['frame_keys'][1:]]
    key = next(k for k in keys if [o['class'] for o in objects[k]] !=
               [o['class'] for o in objects[k][::-1]])
    objects[key] = objects[key][::-1]
    with open(path, 'wb') as f:
        pickle.dump(objects, f)
    with pytest.raises(AGAnnotationError, match=f"frame '{key}' lists"):
        synthetic_identity_gt(copy, 'test')
