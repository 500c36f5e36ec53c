"""Tiny VOST models for tests and smoke runs, built from the shipped
configs (like ``mmdet.testing.get_detector_cfg``)."""
import copy
import os.path as osp

from mmengine.config import Config

__all__ = ['config_root', 'tiny_model_cfg', 'build_tiny_model']


def config_root() -> str:
    """The shipped ``configs`` directory (installed: ``vost/.mim/configs``,
    which links to the checkout's ``configs``)."""
    import vost
    package = osp.dirname(vost.__file__)
    for root in (osp.join(package, '.mim', 'configs'),
                 osp.join(osp.dirname(package), 'configs')):
        if osp.isdir(root):
            return root
    raise FileNotFoundError(
        f'VOST configs not found next to {package} (pip install -e .)')


def tiny_model_cfg(task: str = 'sgdet', num_queries: int = 6,
                   feature_bank=None):
    """A very small VOST config: ResNet-18 with base width 8, d=32, one
    encoder layer and two instance and two relation decoder layers.

    Args:
        task (str): ``'sgdet'``, ``'sgcls'`` or ``'predcls'``.
        num_queries (int): SGDet queries (GT-pair tasks: one per pair).
        feature_bank (dict, optional): The head's ``feature_bank``.

    Returns:
        ConfigDict: The model config.
    """
    cfg = Config.fromfile(
        osp.join(config_root(), '_base_', 'models', 'vost_r50.py'))
    model = copy.deepcopy(cfg.model)
    dims = 32
    attn = dict(embed_dims=dims, num_heads=2, dropout=0.0, batch_first=True)
    ffn = dict(embed_dims=dims, feedforward_channels=64, ffn_drop=0.0)
    model.task = task
    model.backbone = dict(
        type='mmdet.ResNet', depth=18, base_channels=8, num_stages=4,
        out_indices=(3, ), norm_cfg=dict(type='BN'), init_cfg=None)
    model.neck.in_channels = [64]
    model.neck.out_channels = dims
    model.positional_encoding.num_feats = dims // 2
    model.encoder = dict(num_layers=1, layer_cfg=dict(self_attn_cfg=attn,
                                                      ffn_cfg=ffn))
    layer = dict(self_attn_cfg=attn, cross_attn_cfg=attn, ffn_cfg=ffn)
    model.instance_decoder = dict(num_layers=2, layer_cfg=layer)
    model.relation_decoder = dict(num_layers=2, layer_cfg=layer)
    if task == 'sgdet':
        model.query_generator = dict(
            type='LearnablePairQueryGenerator', num_queries=num_queries,
            embed_dims=dims)
    else:
        model.query_generator = dict(
            type='GTPairQueryGenerator', embed_dims=dims)
    model.bbox_head.update(
        embed_dims=dims, num_instance_layers=2, num_relation_layers=2,
        feature_bank=feature_bank)
    return model


def build_tiny_model(task: str = 'sgdet', **kwargs):
    """Build and initialise :func:`tiny_model_cfg` (no pretrained
    weights)."""
    from vost.registry import MODELS
    model = MODELS.build(tiny_model_cfg(task, **kwargs))
    model.init_weights()
    return model
