"""VOST query generators (the query-generation stage)."""
from .base_query_generator import BaseQueryGenerator
from .dual_source import DualSourcePairQueryGenerator
from .gt_pair_query_generator import GTPairQueryGenerator
from .learnable_pair_query_generator import LearnablePairQueryGenerator

__all__ = [
    'BaseQueryGenerator', 'LearnablePairQueryGenerator',
    'GTPairQueryGenerator', 'DualSourcePairQueryGenerator'
]
