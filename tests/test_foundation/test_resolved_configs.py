"""Every shipped config resolves to the values of the reference digests
(tests/data/resolved_config_digests.json, written by
tools/dev/config_digest.py): moving settings between config files (bases,
fragments) must not change what a config means.

Keys that only serve the composition of configs (fragment variables) may
be added or removed; every other key path must keep its value.
"""
import json
import os.path as osp

import pytest

from vost.testing.config_digest import (canonical_text, config_digest,
                                        shipped_configs)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_ROOT = osp.join(REPO, 'configs')
REFERENCE = osp.join(REPO, 'tests', 'data', 'resolved_config_digests.json')

# Top-level names of config fragments: building blocks that configs
# compose (``_base_.train_frame_transforms``), read by no runner or tool.
FRAGMENT_KEYS = frozenset({
    # dataset bases: pipeline parts
    'load_transforms', 'resize_transform', 'augment_transforms',
    'clip_sampler', 'clip', 'backend_args',
    # model bases: query generators, temporal stage, VLM parts
    'learnable_query_generator', 'gt_pair_query_generator',
    'temporal_stage', 'vlm_name', 'vlm_channels', 'vlm_grid',
    'vlm_cache_dir', 'vlm_encoder', 'vlm_query_generator',
    'vlm_feature_bank', 'vlm_parts', '_l1_cost', '_giou_cost',
    '_focal_loss',
    # schedules: lr decays, temporal stage 2
    'cosine_schedule', 'step_schedule', 'freeze_spatial_hook'
})
# Top-level helper variables a config may drop (their values live on in
# the model / pipelines that used them).
REMOVED_KEYS = frozenset()


def _top(key_path):
    return key_path.split('.', 1)[0]


def _reference():
    with open(REFERENCE) as f:
        return json.load(f)


def test_every_shipped_config_has_a_reference():
    assert shipped_configs(CONFIG_ROOT) == sorted(_reference())


@pytest.mark.parametrize('rel', sorted(_reference()))
def test_resolved_config_equals_reference(rel):
    old = _reference()[rel]
    new = config_digest(osp.join(CONFIG_ROOT, rel))
    changed = sorted(k for k in set(old) & set(new) if old[k] != new[k])
    added = sorted(k for k in set(new) - set(old)
                   if _top(k) not in FRAGMENT_KEYS)
    removed = sorted(k for k in set(old) - set(new)
                     if _top(k) not in REMOVED_KEYS)
    assert not (changed or added or removed), (
        f'{rel}: changed {changed}, added {added}, removed {removed} '
        '(python tools/dev/config_digest.py lists them; rewrite the '
        'reference with --write only for a change meant to change values)')


def test_canonical_text_tells_values_apart():
    # dict order does not count; types and nesting do
    assert canonical_text({'a': 1, 'b': [2]}) == canonical_text(
        {'b': [2], 'a': 1})
    assert canonical_text([1, 2]) != canonical_text((1, 2))
    assert canonical_text({'a': 1}) != canonical_text({'a': 1.0})
    assert canonical_text({'a': {'b': 1}}) != canonical_text({'a': {'b': 2}})


def test_digest_sees_a_changed_leaf(tmp_path):
    base = tmp_path / 'base.py'
    base.write_text('model = dict(a=dict(b=1), c=2)\nx = 3\n')
    child = tmp_path / 'child.py'
    child.write_text("_base_ = './base.py'\nmodel = dict(a=dict(b=5))\n")
    d_base, d_child = config_digest(str(base)), config_digest(str(child))
    assert set(d_base) == {'model.a', 'model.c', 'x'} == set(d_child)
    assert d_base['model.a'] != d_child['model.a']
    assert d_base['model.c'] == d_child['model.c']
