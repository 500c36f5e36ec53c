"""Zero-shot testing: novel predicates scored by the feature bank's text
logits alone, the others by branch + text, only at test time."""
import copy

import pytest
import torch
import torch.nn as nn

from vost.models.heads.novel_predicates import novel_local_indices
from vost.models.stage_outputs import DecoderOutputs
from vost.registry import MODELS
from vost.structures.ag_meta import CONTACTING_PREDICATES, SPATIAL_PREDICATES
from vost.utils import register_all_modules

from ._helpers import build_tiny_model, tiny_model_cfg

register_all_modules()


class _FixedTextLogits(nn.Module):
    """A feature bank whose extra logits are known constants."""

    def __init__(self, channels):
        super().__init__()
        self.out_channels = channels
        gen = torch.Generator().manual_seed(0)
        self.extra = {g: torch.randn(n, generator=gen)
                      for g, n in (('attention', 3), ('spatial', 6),
                                   ('contacting', 17))}

    def forward(self, rel_feats, **kwargs):
        feats = rel_feats
        shape = feats.shape[:-1]
        return dict(feats=feats, extra_logits={
            g: v.expand(*shape, -1) for g, v in self.extra.items()})


def test_local_indices():
    out = novel_local_indices(['holding', 'behind', 'sitting_on'])
    assert out == dict(attention=[], spatial=[SPATIAL_PREDICATES.index(
        'behind')], contacting=sorted([
            CONTACTING_PREDICATES.index('holding'),
            CONTACTING_PREDICATES.index('sitting_on')]))
    with pytest.raises(ValueError, match="unknown predicate 'juggling'"):
        novel_local_indices(['juggling'])


def test_novel_logits_are_the_text_logits_at_test_time():
    torch.manual_seed(0)
    head = build_tiny_model('sgdet').bbox_head.eval()
    bank = _FixedTextLogits(head.embed_dims)
    head.feature_bank = bank
    head.novel_local = novel_local_indices(['holding', 'behind'])
    li, lr, q, c = head.num_instance_layers, head.num_relation_layers, 5, \
        head.embed_dims
    outs = DecoderOutputs(inst_hidden=torch.randn(li, 2, q, c),
                          references=torch.rand(li + 1, 2, q, 8),
                          rel_hidden=torch.randn(lr, 2, q, c))
    metas = [{}, {}]
    train = head(outs, metas)
    test = head(outs, metas, text_only=True)
    hold = CONTACTING_PREDICATES.index('holding')
    behind = SPATIAL_PREDICATES.index('behind')
    for group, novel in (('spatial', behind), ('contacting', hold)):
        tested, trained = getattr(test, group), getattr(train, group)
        torch.testing.assert_close(
            tested[..., novel],
            bank.extra[group][novel].expand_as(tested[..., novel]))
        # the trained branch is still added in training (and for others)
        assert not torch.allclose(trained[..., novel], tested[..., novel])
        others = [i for i in range(trained.size(-1)) if i != novel]
        torch.testing.assert_close(trained[..., others], tested[..., others])
    torch.testing.assert_close(train.attention, test.attention)


def test_novel_predicates_need_text_logits():
    cfg = copy.deepcopy(tiny_model_cfg('sgdet')['bbox_head'])
    cfg['test_cfg'] = dict(tiny_model_cfg('sgdet').test_cfg,
                           novel_predicates=['holding'])
    with pytest.raises(ValueError, match='needs the feature bank'):
        MODELS.build(cfg)


def test_zero_shot_config_holds_out_and_scores_the_same_predicates():
    from mmengine.config import Config

    from vost.engine import fill_from_model
    cfg = Config.fromfile('configs/vost/ablations/'
                          'vost-zero-shot_r18_1xb8-3e_synthetic-ag-sgdet.py')
    fill_from_model(cfg)
    novel = cfg.novel_predicates
    assert cfg.train_dataloader.dataset.hold_out_predicates == novel
    assert cfg.test_evaluator.predicate_subsets == dict(novel=novel,
                                                        base='rest')
    head_cfg = copy.deepcopy(cfg.model.bbox_head)
    head_cfg['test_cfg'] = cfg.model.test_cfg
    head_cfg['train_cfg'] = cfg.model.train_cfg
    head = MODELS.build(head_cfg)
    assert sum(map(len, head.novel_local.values())) == len(novel) == 3
