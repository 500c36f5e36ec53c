"""Several people end to end through the data side: the generator's
``--max-people`` output read by the real loader, the data pipeline's GT
pairs and the generalised protocol."""
import pickle

import numpy as np
import pytest

from vost.ag_format import load_action_genome
from vost.datasets.synthetic import make_synthetic_ag
from vost.evaluation.functional import build_gt_triplets


@pytest.fixture(scope='module')
def three_people(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('k3'))
    make_synthetic_ag(root, num_videos=12, num_frames=4, seed=2,
                      size=(160, 128), test_fraction=0.5, max_people=3)
    return root


def _raw(root):
    with open(f'{root}/annotations/person_bbox.pkl', 'rb') as f:
        persons = pickle.load(f)
    with open(f'{root}/annotations/object_bbox_and_relationship.pkl',
              'rb') as f:
        objects = pickle.load(f)
    return persons, objects


def test_loader_keeps_every_person_and_every_record(three_people):
    persons, objects = _raw(three_people)
    data_list, report = load_action_genome(three_people, 'train', 'predcls')
    assert report['errors'] == {} and report['removed']['objects'][
        'invalid'] == 0
    frames = [f for v in data_list for f in v['images']]
    assert max(sum(i['bbox_label'] == 1 for i in f['instances'])
               for f in frames) > 1
    for frame in frames:
        key = frame['frame_key']
        rows = np.asarray(persons[key]['bbox']).reshape(-1, 4)
        inst = frame['instances']
        # persons first, in the file's row order
        assert [i['bbox'] for i in inst[:len(rows)]] == rows.tolist()
        assert all(i['bbox_label'] > 1 for i in inst[len(rows):])
        visible = [o for o in objects[key] if o['visible']]
        assert len(frame['relations']) == len(visible)
        for rel, rec in zip(frame['relations'], visible):
            assert rel['subject'] == rec['subject']
            x, y, w, h = rec['bbox']
            assert inst[rel['object']]['bbox'] == [x, y, x + w, y + h]
        # one object instance per (class, box)
        keys = [(i['bbox_label'], tuple(i['bbox'])) for i in inst]
        assert len(set(keys)) == len(keys)


def test_protocol_options_on_several_people(three_people):
    data_list, _ = load_action_genome(three_people, 'test', 'sgdet')
    with pytest.raises(ValueError, match="subjects='per_triplet'"):
        build_gt_triplets(data_list)
    gt = build_gt_triplets(data_list, 'per_triplet')
    frames = [f for v in data_list for f in v['images']]
    expected = sum(1 + len(r['spatial']) + len(r['contacting'])
                   for f in frames for r in f['relations'])
    assert len(gt.predicate) == expected
    # every GT triplet's subject box is one of its frame's person rows
    persons, _ = _raw(three_people)
    for t in range(0, len(gt.predicate), 7):
        key = gt.frame_keys[gt.frame[t]]
        rows = np.asarray(persons[key]['bbox'], np.float64).reshape(-1, 4)
        assert (np.abs(rows - gt.sub_boxes[t]).max(1) < 1e-4).any()


def test_pipeline_pairs_point_at_their_own_person(three_people):
    from mmengine.config import Config

    from vost.registry import DATASETS
    from vost.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(
        'configs/vost/vost_r18_1xb8-3e_synthetic-ag-3people-sgdet.py')
    ds_cfg = cfg.test_dataloader.dataset
    ds_cfg.update(data_root=three_people, task='sgdet')
    dataset = DATASETS.build(ds_cfg)
    found = 0
    for idx in range(len(dataset)):
        track = dataset[idx]['data_samples']
        sample = track.video_data_samples[track.key_frames_inds[0]]
        pairs = sample.gt_pairs
        inst = sample.gt_instances
        persons = (inst.labels == 1).nonzero().flatten().tolist()
        subjects = set(pairs.pair_inds[:, 0].tolist())
        assert subjects <= set(persons)
        found = max(found, len(subjects))
    assert found > 1
