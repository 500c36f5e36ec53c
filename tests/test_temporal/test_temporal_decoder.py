"""TemporalPairDecoder: shapes, top-k selection, what it reads."""
import pytest
import torch

from vost.models.stage_outputs import PairStates
from vost.models.temporal import TemporalPairDecoder, select_top_references
from vost.registry import MODELS
from ._helpers import DIMS, decoder_cfg


def _build(**kwargs) -> TemporalPairDecoder:
    torch.manual_seed(0)
    decoder = MODELS.build(decoder_cfg(**kwargs))
    decoder.init_weights()
    return decoder.eval()


def _inputs(batch=2, queries=5, num_refs=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    m = num_refs * queries
    return dict(
        key_inst=torch.randn(batch, queries, DIMS, generator=g),
        key_rel=torch.randn(batch, queries, DIMS, generator=g),
        key_anchors=torch.rand(batch, queries, 8, generator=g) * .5 + .25,
        ref_inst=torch.randn(batch, m, DIMS, generator=g),
        ref_rel=torch.randn(batch, m, DIMS, generator=g),
        ref_anchors=torch.rand(batch, m, 8, generator=g) * .5 + .25,
        ref_scores=torch.rand(batch, m, generator=g),
        num_refs=num_refs)


def _decode(decoder, inputs, ref_mask=None, **kwargs):
    """The decoder on the flat ``inputs`` of :func:`_inputs`."""
    return decoder(
        key=PairStates(inst=inputs['key_inst'], rel=inputs['key_rel'],
                       anchors=inputs['key_anchors']),
        refs=PairStates(inst=inputs['ref_inst'], rel=inputs['ref_rel'],
                        anchors=inputs['ref_anchors'], mask=ref_mask),
        ref_scores=inputs['ref_scores'], num_refs=inputs['num_refs'],
        **kwargs)


def test_select_top_references_hand_made():
    scores = torch.tensor([[.1, .9, .3, .8, .5, .2],
                           [.6, .1, .2, .3, .4, .5]])
    mask = torch.tensor([[False, True, False, False, False, False],
                         [False] * 6])
    inds = select_top_references(scores, 3, mask)
    # row 0: .9 is padding -> .8, .5, .3; row 1: .6, .5, .4
    assert inds.tolist() == [[3, 4, 2], [0, 5, 4]]
    # k is clamped to what exists; padding ranks last
    assert select_top_references(scores, 80, mask)[0].tolist() == [
        3, 4, 2, 5, 0, 1]


def test_shapes_and_progressive_top_k():
    decoder = _build(num_layers=3, k_per_ref=(4, 2, 1))
    inputs = _inputs(batch=2, queries=5, num_refs=2)
    with torch.no_grad():
        out = _decode(decoder, inputs)
    assert out.inst_hidden.shape == (3, 2, 5, DIMS)
    assert out.rel_hidden.shape == (3, 2, 5, DIMS)
    assert out.references.shape == (4, 2, 5, 8)
    # k_per_ref * n reference pairs per layer: 8, 4, 2 of the 10
    assert [s.shape for s in out.selected] == [(2, 8), (2, 4), (2, 2)]
    expected = inputs['ref_scores'].argsort(1, descending=True)
    for sel in out.selected:
        assert torch.equal(sel, expected[:, :sel.size(1)])
    # no regression branches (PredCls/SGCls): the boxes stay the key's
    for ref in out.references:
        torch.testing.assert_close(ref, inputs['key_anchors'])


def test_k_is_clamped_to_available_pairs():
    decoder = _build(num_layers=2, k_per_ref=(80, 50))
    with torch.no_grad():
        out = _decode(decoder, _inputs(queries=5, num_refs=2))
    assert [s.shape[1] for s in out.selected] == [10, 10]


def test_only_selected_reference_pairs_are_read():
    """Changing a pair outside every layer's top-k changes nothing; a
    change to the top pair changes the key outputs."""
    decoder = _build(num_layers=2, k_per_ref=(2, 1))
    inputs = _inputs(batch=1, queries=5, num_refs=2)
    inputs['ref_scores'] = torch.linspace(1, 0, 10)[None]  # 0 best, 9 worst
    with torch.no_grad():
        base = _decode(decoder, inputs)
        far = dict(inputs, ref_inst=inputs['ref_inst'].clone(),
                   ref_rel=inputs['ref_rel'].clone())
        far['ref_inst'][0, 4:] += 10  # pairs 4..9 are never selected
        far['ref_rel'][0, 4:] -= 10
        out_far = _decode(decoder, far)
        near = dict(inputs, ref_inst=inputs['ref_inst'].clone())
        near['ref_inst'][0, 0] += 10
        out_near = _decode(decoder, near)
    assert base.selected[0].tolist() == [[0, 1, 2, 3]]
    for key in ('inst_hidden', 'rel_hidden'):
        assert torch.equal(getattr(base, key), getattr(out_far, key))
        assert not torch.allclose(getattr(base, key), getattr(out_near, key))


def test_padded_references_are_ignored_and_never_nan():
    decoder = _build(num_layers=2, k_per_ref=(5, 5))
    inputs = _inputs(batch=2, queries=5, num_refs=1)
    mask = torch.zeros(2, 5, dtype=torch.bool)
    mask[0, 3:] = True  # clip 0 has 3 valid reference pairs
    mask[1] = True  # clip 1 has none
    with torch.no_grad():
        out = _decode(decoder, inputs, ref_mask=mask)
        changed = dict(inputs, ref_inst=inputs['ref_inst'].clone())
        changed['ref_inst'][0, 3:] = 100.  # padding of clip 0
        out2 = _decode(decoder, changed, ref_mask=mask)
    assert torch.isfinite(out.inst_hidden).all()
    assert torch.isfinite(out.rel_hidden).all()
    torch.testing.assert_close(out.inst_hidden[:, 0],
                               out2.inst_hidden[:, 0])


def test_box_refinement_with_branches():
    from mmdet.models.layers.transformer.utils import MLP
    decoder = _build(num_layers=2, k_per_ref=(2, 2))
    branches = [torch.nn.ModuleList([MLP(DIMS, DIMS, 4, 2) for _ in
                                     range(2)]) for _ in range(2)]
    inputs = _inputs()
    with torch.no_grad():
        out = _decode(decoder, inputs, sub_reg_branches=branches[0],
                      obj_reg_branches=branches[1])
    refs = out.references
    torch.testing.assert_close(refs[0], inputs['key_anchors'])
    assert not torch.allclose(refs[1], refs[0])
    assert ((refs > 0) & (refs < 1)).all()
    with pytest.raises(ValueError, match='both or neither'):
        _decode(decoder, inputs, sub_reg_branches=branches[0])


def test_zero_init_residual_starts_near_identity():
    """With zero residual branches each layer is LN(x): the key features
    pass through whatever the references are."""
    decoder = _build(num_layers=2, k_per_ref=(2, 2), zero_init_residual=True)
    inputs = _inputs()
    other = _inputs(seed=1)
    with torch.no_grad():
        a = _decode(decoder, inputs)
        b = _decode(decoder, dict(inputs, ref_inst=other['ref_inst'],
                                  ref_rel=other['ref_rel']))
    torch.testing.assert_close(a.inst_hidden, b.inst_hidden)
    ln = torch.nn.functional.layer_norm(inputs['key_inst'], (DIMS, ))
    torch.testing.assert_close(a.inst_hidden[0], ln, atol=1e-5,
                               rtol=1e-5)


def test_bad_config_and_inputs_raise():
    with pytest.raises(ValueError, match='k_per_ref'):
        MODELS.build(decoder_cfg(num_layers=3, k_per_ref=(80, 50)))
    with pytest.raises(ValueError, match='num_layers'):
        MODELS.build(decoder_cfg(num_layers=0, k_per_ref=()))
    decoder = _build()
    inputs = _inputs()
    inputs['ref_rel'] = inputs['ref_rel'][:, :3]
    with pytest.raises(ValueError, match='refs.rel'):
        _decode(decoder, inputs)
    assert 'k_per_ref=(4, 2)' in repr(decoder)
