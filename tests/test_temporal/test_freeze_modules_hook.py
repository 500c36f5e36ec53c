"""FreezeModulesHook: stage 2 trains only the temporal parts."""
import logging
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MMLogger

from vost.engine.hooks import FreezeModulesHook
from ._helpers import build_temporal_model
from .test_temporal_detector import _clips


def _runner(model):
    return SimpleNamespace(model=model, _load_from='stage1.pth')


def _train(model, hook, runner, steps=3, sabotage=None):
    """A few AdamW steps over *all* parameters (as the optimizer that
    mmengine builds before ``before_train``), with the hook's calls."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2,
                                  weight_decay=0.1)
    data = _clips(model, training=True)
    for i in range(steps):
        model.train()  # what the training loop does every epoch
        hook.before_train_iter(runner, i)
        losses = model(**data, mode='loss')
        optimizer.zero_grad()
        sum(losses.values()).backward()
        optimizer.step()
        if sabotage is not None:
            sabotage(model)
        hook.after_train_iter(runner, i)


def test_frozen_tensors_stay_bitwise_equal_and_temporal_ones_train():
    torch.manual_seed(0)
    model = build_temporal_model('sgdet')
    model.backbone.norm_eval = False  # BN would update its statistics
    before = {k: v.clone() for k, v in model.state_dict().items()}
    hook = FreezeModulesHook(check_after_iters=2)
    runner = _runner(model)
    hook.before_train(runner)
    _train(model, hook, runner, steps=2)  # the check runs after step 2
    assert hook._snapshot is None  # checked and released
    state = model.state_dict()
    frozen = [k for k in state if not k.startswith('temporal.')]
    assert any('running_mean' in k for k in frozen)  # BN stats covered
    for k in frozen:
        assert torch.equal(state[k], before[k]), k
    for prefix in ('temporal.decoder.', 'temporal.head.'):
        changed = [k for k in state if k.startswith(prefix)
                   and not torch.equal(state[k], before[k])]
        assert changed, prefix
    assert model.backbone.training is False
    assert model.temporal.decoder.training is True
    assert all(not p.requires_grad for p in model.backbone.parameters())


def test_a_changed_frozen_tensor_is_reported():
    torch.manual_seed(0)
    model = build_temporal_model('sgdet')
    hook = FreezeModulesHook(check_after_iters=1)
    runner = _runner(model)
    hook.before_train(runner)

    def sabotage(m):
        with torch.no_grad():
            m.encoder.layers[0].norms[0].bias.add_(1e-6)

    with pytest.raises(RuntimeError, match='encoder.layers.0.norms.0.bias'):
        _train(model, hook, runner, steps=1, sabotage=sabotage)


def test_without_eval_mode_batch_norm_statistics_change():
    """Negative control: with ``eval_frozen=False`` the backbone's BN
    running statistics move in train mode and the check catches it."""
    torch.manual_seed(0)
    model = build_temporal_model('sgdet')
    model.backbone.norm_eval = False
    hook = FreezeModulesHook(eval_frozen=False, check_after_iters=1)
    runner = _runner(model)
    hook.before_train(runner)
    with pytest.raises(RuntimeError, match='running_mean'):
        _train(model, hook, runner, steps=1)


def test_selection_rules_and_bad_names():
    hook = FreezeModulesHook(trainable=['temporal.head'],
                             frozen=['backbone', 'bbox_head'])
    assert hook.is_frozen('backbone.conv1.weight')
    assert hook.is_frozen('bbox_head')
    assert not hook.is_frozen('bbox_head_extra.weight')
    assert not hook.is_frozen('encoder.layers.0.weight')
    assert not hook.is_frozen('temporal.head.cls_branches.0.weight')
    model = build_temporal_model('predcls')
    with pytest.raises(KeyError, match="'temporal_stage'"):
        FreezeModulesHook(trainable=['temporal_stage']).freeze(model)
    with pytest.raises(TypeError):
        FreezeModulesHook(trainable='temporal.head')


def test_no_load_from_warns_and_still_freezes():
    # stage 2 without a stage-1 checkpoint: a logged warning (it was a
    # TypeError from print_log), then the freezing goes on
    torch.manual_seed(0)
    model = build_temporal_model('sgdet')
    hook = FreezeModulesHook(check_after_iters=2)
    logger = MMLogger.get_instance('test_freeze_no_load_from')  # current
    records = []

    class _Collect(logging.Handler):

        def emit(self, record):
            records.append(record)

    handler = _Collect()
    logger.addHandler(handler)
    try:
        hook.before_train(SimpleNamespace(model=model, _load_from=None))
    finally:
        logger.removeHandler(handler)
    warnings = [r.getMessage() for r in records if r.levelname == 'WARNING']
    assert any('no load_from checkpoint' in w for w in warnings)
    assert all(not p.requires_grad for p in model.backbone.parameters())
