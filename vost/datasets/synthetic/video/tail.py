"""The long tail of the video world, shaped by Action Genome's real counts.

Sources (also in ``docs/synthetic_action_genome.md``): the predicate counts
of AG's training labels as hard-coded by ML-MWN (``meta_train.py``,
``rel_num_per_cls``) and the class counts of OED
(``models/dsgg_multi_xcls.py``, ``obj_nums_init``); the two repositories
agree to within 0.1 %.

How they shape the world:

- **Roles** (where an object is placed; the labels are still computed
  from the drawn geometry) are drawn with weight ``count ** ALPHA`` of the
  contacting predicate each role produces (``held`` -> ``holding``,
  ``wipe`` -> ``wiping``, ...); the not-contacting roles share
  ``not_contacting``'s weight in the ratio of the spatial predicate each
  produces (``side`` -> ``on_the_side_of``, ``behind`` -> ``behind``,
  ``above`` -> ``above``, ``inside`` -> ``in``). ``ALPHA = 0.75`` keeps
  AG's order and a span of about 270x between ``holding`` and
  ``twisting`` (AG: 1,784x): with AG's full span, a 500-video world would
  hold less than one twisting track. The pose roles (sitting, lying,
  standing on, leaning) follow from the pose probabilities instead, set
  from the same counts (:data:`POSE_PROBS`).
- **Classes** within a role are drawn with weight equal to AG's box count
  of the class (exponent 1: AG's class span is 20x).
- **The web set** (the tiny CLIP's pretraining data, ``web=True``) draws
  roles, classes and looks uniformly: it knows the tail evenly.
"""
from typing import Dict

__all__ = [
    'AG_PREDICATE_COUNTS', 'AG_CLASS_COUNTS', 'ALPHA', 'POSE_PROBS',
    'POSE_SUPPORT', 'ROLE_PREDICATE', 'role_weights', 'class_weight'
]

#: AG training labels per predicate (ML-MWN).
AG_PREDICATE_COUNTS: Dict[str, int] = dict(
    looking_at=144631, not_looking_at=193370, unsure=38777, above=4653,
    beneath=58226, in_front_of=254631, behind=46413, on_the_side_of=69895,
    **{'in': 12939}, carrying=4012, covered_by=4087, drinking_from=4378,
    eating=3214, have_it_on_the_back=314, holding=157010, leaning_on=11530,
    lying_on=3410, not_contacting=105135, other_relationship=8749,
    sitting_on=40576, standing_on=7609, touching=52201, twisting=88,
    wearing=6766, wiping=772, writing_on=1102)

#: AG training boxes per object class (OED).
AG_CLASS_COUNTS: Dict[str, int] = {
    'bag': 13042, 'bed': 8362, 'blanket': 10797, 'book': 15346,
    'box': 8387, 'broom': 6291, 'chair': 24164, 'closet/cabinet': 11934,
    'clothes': 16723, 'cup/glass/bottle': 25298, 'dish': 15515,
    'door': 11849, 'doorknob': 3023, 'doorway': 11343, 'floor': 15610,
    'food': 29641, 'groceries': 3192, 'laptop': 11065, 'light': 1488,
    'medicine': 3371, 'mirror': 6172, 'paper/notebook': 9003,
    'phone/camera': 15089, 'picture': 3409, 'pillow': 7067,
    'refrigerator': 3405, 'sandwich': 10625, 'shelf': 8606, 'shoe': 5987,
    'sofa/couch': 10397, 'table': 30046, 'television': 3021,
    'towel': 11019, 'vacuum': 2545, 'window': 3651}

#: Compression of the predicate span (see the module docstring).
ALPHA = 0.75

#: The predicate each free role produces (not-contacting roles: their
#: spatial predicate).
ROLE_PREDICATE = dict(
    held='holding', carried='carrying', drink='drinking_from', eat='eating',
    touch='touching', twist='twisting', wipe='wiping', write='writing_on',
    wear='wearing', cover='covered_by', back='have_it_on_the_back',
    other='other_relationship', side='on_the_side_of', behind='behind',
    above='above', inside='in')
_NOT_CONTACTING = ('side', 'behind', 'above', 'inside')

#: Pose probabilities (stand, sit, lie, lean) and the chance that the pose
#: brings its support object (chair, bed, floor, door...), set so that
#: sitting_on, lying_on, standing_on and leaning_on take about AG's share
#: of the contacting labels at ``ALPHA`` (a track is about 1 in 2.5 of a
#: person's objects).
POSE_PROBS = dict(stand=0.6, sit=0.3, lie=0.03, lean=0.07)
POSE_SUPPORT = dict(stand=0.1, sit=0.92, lie=0.95, lean=0.95)


def role_weights(web: bool = False) -> Dict[str, float]:
    """Weight of every free role.

    Args:
        web (bool): The web set's uniform weights. Defaults to False.

    Returns:
        dict[str, float]: Role -> weight.
    """
    if web:
        return {r: 1. for r in ROLE_PREDICATE}
    c = AG_PREDICATE_COUNTS
    out = {
        r: c[p]**ALPHA
        for r, p in ROLE_PREDICATE.items() if r not in _NOT_CONTACTING
    }
    spatial = sum(c[ROLE_PREDICATE[r]] for r in _NOT_CONTACTING)
    for r in _NOT_CONTACTING:
        out[r] = c['not_contacting']**ALPHA * c[ROLE_PREDICATE[r]] / spatial
    return out


def class_weight(name: str, web: bool = False) -> float:
    """Weight of a class among a role's classes (AG's box count)."""
    return 1. if web else float(AG_CLASS_COUNTS[name])
