"""Text prompts for the Action Genome object classes and predicates.

The class tables live in :mod:`vost.structures.ag_meta`; this module only turns
their names into natural-language phrases and fills prompt templates.

Templates use named fields: ``{obj}`` for an object phrase and ``{pred}`` for
a predicate phrase. Several templates per prompt are averaged (prompt
ensembling, as in CLIP's zero-shot classifiers).

Spatial predicates read ``<object, spatial, person>`` (docs/design.md
section 1), so their default template puts the object first: ``'a {obj}
{pred} a person.'`` gives ``'a thing above a person.'``.
"""
from typing import Dict, List, Optional, Sequence

from vost.structures.ag_meta import OBJECT_CLASSES, PREDICATE_GROUPS

__all__ = [
    'DEFAULT_OBJECT_TEMPLATES', 'DEFAULT_PREDICATE_TEMPLATES',
    'DEFAULT_PREDICATE_PHRASES', 'object_phrase', 'predicate_phrase',
    'build_object_prompts', 'build_predicate_prompts'
]

#: Templates for the 36 object classes (background gets no prompt).
DEFAULT_OBJECT_TEMPLATES = ('a photo of a {obj}.', )

#: Group name -> templates for the predicates of the group.
DEFAULT_PREDICATE_TEMPLATES: Dict[str, Sequence[str]] = dict(
    attention=('a person {pred} a {obj}.', ),
    spatial=('a {obj} {pred} a person.', ),
    contacting=('a person {pred} a {obj}.', ),
)

#: Predicate name -> phrase, where replacing ``_`` by a space reads badly.
DEFAULT_PREDICATE_PHRASES: Dict[str, str] = {
    'unsure': 'unsure whether looking at',
    'have_it_on_the_back': 'having on the back',
    'other_relationship': 'in another relationship with',
    'on_the_side_of': 'on the side of',
    'in': 'inside',
}


def object_phrase(name: str) -> str:
    """Turn an object class name into a phrase.

    Args:
        name (str): Pretty class name, e.g. ``'cup/glass/bottle'``.

    Returns:
        str: E.g. ``'cup or glass or bottle'``.
    """
    return ' or '.join(part.strip() for part in name.split('/'))


def predicate_phrase(name: str,
                     phrases: Optional[Dict[str, str]] = None) -> str:
    """Turn a predicate name into a phrase.

    Args:
        name (str): Predicate name, e.g. ``'in_front_of'``.
        phrases (dict, optional): Overrides of
            :data:`DEFAULT_PREDICATE_PHRASES`.

    Returns:
        str: E.g. ``'in front of'``.
    """
    table = dict(DEFAULT_PREDICATE_PHRASES)
    table.update(phrases or {})
    return table.get(name, name.replace('_', ' '))


def _fill(template: str, **fields) -> str:
    """Fill a template, naming the template in the error on a bad field."""
    try:
        return template.format(**fields)
    except (KeyError, IndexError) as err:
        raise ValueError(
            f'Prompt template {template!r} uses an unknown field {err}; '
            f'available fields: {sorted(fields)} (use named fields such as '
            '"{obj}" and "{pred}", not "{}").') from err


def build_object_prompts(
        templates: Sequence[str] = DEFAULT_OBJECT_TEMPLATES
) -> List[List[str]]:
    """Prompts for object classes 1..36.

    Args:
        templates (Sequence[str]): Templates with an ``{obj}`` field.

    Returns:
        list[list[str]]: 36 lists (classes 1..36 in id order), each with
        one prompt per template.
    """
    if isinstance(templates, str) or len(templates) == 0:
        raise ValueError('object_templates must be a non-empty sequence of '
                         f'strings, got {templates!r}')
    return [[_fill(t, obj=object_phrase(name)) for t in templates]
            for name in OBJECT_CLASSES[1:]]


def build_predicate_prompts(
        templates: Dict[str, Sequence[str]] = DEFAULT_PREDICATE_TEMPLATES,
        object_word: str = 'thing',
        phrases: Optional[Dict[str, str]] = None) -> List[List[str]]:
    """Prompts for the 26 predicates in global id order.

    Args:
        templates (dict): Group name (``attention``, ``spatial``,
            ``contacting``) -> templates with ``{pred}`` and optionally
            ``{obj}`` fields.
        object_word (str): What fills ``{obj}``: the predicate prompts do
            not depend on the object class. Defaults to ``'thing'``.
        phrases (dict, optional): Predicate phrase overrides.

    Returns:
        list[list[str]]: 26 lists, each with one prompt per template of
        the predicate's group.
    """
    missing = set(PREDICATE_GROUPS) - set(templates)
    if missing:
        raise ValueError(f'predicate_templates lacks the groups '
                         f'{sorted(missing)}; it needs one entry per group '
                         f'of {list(PREDICATE_GROUPS)}')
    prompts = []
    for group, names in PREDICATE_GROUPS.items():
        group_templates = templates[group]
        if isinstance(group_templates, str) or len(group_templates) == 0:
            raise ValueError(f'predicate_templates[{group!r}] must be a '
                             'non-empty sequence of strings, got '
                             f'{group_templates!r}')
        for name in names:
            pred = predicate_phrase(name, phrases)
            prompts.append(
                [_fill(t, obj=object_word, pred=pred)
                 for t in group_templates])
    return prompts
