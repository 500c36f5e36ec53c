"""Prompt phrasing and templates."""
import pytest

from vost.models.vlm import (
    build_object_prompts,
    build_predicate_prompts,
    object_phrase,
    predicate_phrase,
)


def test_object_prompts():
    prompts = build_object_prompts(('a photo of a {obj}.', '{obj}'))
    assert len(prompts) == 36
    assert prompts[0] == ['a photo of a person.', 'person']
    # class id 11 is cup/glass/bottle -> index 10 (ids start at 1)
    assert prompts[10][0] == 'a photo of a cup or glass or bottle.'
    assert object_phrase('closet/cabinet') == 'closet or cabinet'


def test_predicate_prompts_follow_groups_and_directions():
    prompts = build_predicate_prompts()
    assert len(prompts) == 26
    assert prompts[0] == ['a person looking at a thing.']
    # global id 5 is in_front_of, spatial: <object, spatial, person>
    assert prompts[5] == ['a thing in front of a person.']
    assert prompts[8] == ['a thing inside a person.']
    assert prompts[9 + 4] == ['a person having on the back a thing.']
    assert predicate_phrase('writing_on') == 'writing on'
    assert predicate_phrase('in', {'in': 'in'}) == 'in'


def test_bad_templates():
    with pytest.raises(ValueError, match='lacks the groups'):
        build_predicate_prompts(dict(attention=('{pred}', )))
    with pytest.raises(ValueError, match='unknown field'):
        build_object_prompts(('a {thing}', ))
    with pytest.raises(ValueError, match='non-empty sequence'):
        build_object_prompts('a photo of a {obj}')
