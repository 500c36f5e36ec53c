"""VOST task modules: the pair Hungarian assigner and its match costs."""
from .pair_hungarian_assigner import PairHungarianAssigner
from .pair_match_costs import PairBoxCost, PredicateCost

__all__ = ['PairHungarianAssigner', 'PairBoxCost', 'PredicateCost']
