"""VOST feature_banks: per-pair multi-modal cues for predicate classifiers."""
from .multimodal_feature_bank import MultiModalFeatureBank, pair_geometry

__all__ = ['MultiModalFeatureBank', 'pair_geometry']
