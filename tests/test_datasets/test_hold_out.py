"""Held-out predicates (zero-shot training): removed from the labels,
counted, everything else unchanged."""
import copy
import os.path as osp

import pytest

from vost.ag_format import load_action_genome
from vost.datasets.action_genome.hold_out import hold_out_predicates
from vost.structures.ag_meta import CONTACTING_PREDICATES, SPATIAL_PREDICATES

FIXTURE = osp.join(osp.dirname(__file__), '..', 'data', 'ag_tiny')


def test_labels_removed_and_counted():
    data_list, _ = load_action_genome(FIXTURE, 'test', 'predcls')
    before = copy.deepcopy(data_list)
    front = SPATIAL_PREDICATES.index('in_front_of')
    holding = CONTACTING_PREDICATES.index('holding')
    rels = [r for v in before for f in v['images'] for r in f['relations']]
    expected = dict(
        in_front_of=sum(r['spatial'].count(front) for r in rels),
        holding=sum(r['contacting'].count(holding) for r in rels))
    assert expected['in_front_of'] > 0
    removed = hold_out_predicates(data_list, ['in_front_of', 'holding'])
    assert dict(removed) == {k: v for k, v in expected.items() if v}
    after = [r for v in data_list for f in v['images'] for r in f['relations']]
    assert len(after) == len(rels)
    for old, new in zip(rels, after):
        assert new['spatial'] == [p for p in old['spatial'] if p != front]
        assert new['contacting'] == [
            p for p in old['contacting'] if p != holding
        ]
        assert new['attention'] == old['attention']


def test_attention_and_unknown_names_are_refused():
    with pytest.raises(ValueError, match="'looking_at' is an attention"):
        hold_out_predicates([], ['looking_at'])
    with pytest.raises(ValueError, match="unknown predicate 'juggling'"):
        hold_out_predicates([], ['juggling'])
