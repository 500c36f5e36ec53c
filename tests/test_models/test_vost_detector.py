"""VOST detector: shipped configs build; loss / predict / tensor modes."""
import glob
import os.path as osp
from dataclasses import fields

import pytest
import torch
from mmengine.config import Config

from vost.registry import MODELS
from vost.testing import demo_sg_track_inputs
from vost.utils import register_all_modules

from ._helpers import CONFIG_ROOT, build_tiny_model

register_all_modules()

# the spatial configs of this model (temporal and VLM configs: their tests)
SHIPPED = sorted(
    glob.glob(osp.join(CONFIG_ROOT, 'vost', 'vost-spatial_*.py')))


def _null_init(cfg):
    cfg.model.backbone.init_cfg = None
    return cfg


def _run_modes(model):
    """One loss, predict and tensor pass on a 64 x 64 clip, 2 objects."""
    data = demo_sg_track_inputs(batch_size=1, image_shapes=(3, 64, 64),
                                num_objects=2)
    data = model.data_preprocessor(data, True)
    model.train()
    losses = model(**data, mode='loss')
    assert losses and all(torch.isfinite(v) for v in losses.values())
    model.eval()
    with torch.no_grad():
        results = model(**data, mode='predict')
        outs = model(**data, mode='tensor')
    assert len(results) == 1 and 'pred_pairs' in results[0]
    # predict is the head's post-processing of the tensor-mode outputs
    key = results[0]
    (instances, pairs), = model.bbox_head.predict_by_feat(
        outs, [key], rescale=True)
    for field in ('bboxes', 'labels', 'scores'):
        torch.testing.assert_close(key.pred_instances.get(field),
                                   instances.get(field))
    for field in ('pair_inds', 'attention_scores', 'spatial_scores',
                  'contacting_scores'):
        torch.testing.assert_close(key.pred_pairs.get(field),
                                   pairs.get(field))


@pytest.mark.parametrize('path', SHIPPED, ids=osp.basename)
def test_shipped_config_builds(path):
    """Every shipped config builds (pretrained weights nulled); the small
    ones also run every mode (the ResNet-50 ones: the slow test below)."""
    cfg = _null_init(Config.fromfile(path))
    model = MODELS.build(cfg.model)
    assert cfg.model.task in osp.basename(path)
    assert model.task == cfg.model.task
    if 'r50' not in osp.basename(path):
        model.init_weights()
        _run_modes(model)


@pytest.mark.slow
@pytest.mark.parametrize(
    'path', [p for p in SHIPPED if 'r50' in osp.basename(p)],
    ids=osp.basename)
def test_r50_config_runs(path):
    model = MODELS.build(_null_init(Config.fromfile(path)).model)
    model.init_weights()
    _run_modes(model)


@pytest.mark.parametrize('task', ['sgdet', 'sgcls', 'predcls'])
def test_every_task_has_an_ag_config_with_a_generator_serving_it(task):
    path = osp.join(CONFIG_ROOT, 'vost',
                    f'vost-spatial_r50_8xb2-12e_ag-{task}.py')
    model = Config.fromfile(path).model
    assert model.task == task
    # PredCls / SGCls queries are the GT pairs; SGDet queries are learnt
    expected = 'LearnablePairQueryGenerator' if task == 'sgdet' else \
        'GTPairQueryGenerator'
    assert model.query_generator.type == expected
    assert task in MODELS.get(expected).tasks


def test_tensor_mode_outputs_are_per_frame():
    """Shapes, and each frame's outputs are its own: the same alone as in
    a batch, unchanged when another frame of the batch changes."""
    torch.manual_seed(0)
    model = build_tiny_model('sgdet', num_queries=5).eval()
    data = demo_sg_track_inputs(batch_size=2, image_shapes=(3, 64, 96))
    data = model.data_preprocessor(data, False)
    flipped = data['inputs'].clone()
    flipped[0] = flipped[0].flip(-1)
    with torch.no_grad():
        outs = model(**data, mode='tensor')
        alone = model(data['inputs'][1:], data['data_samples'][1:],
                      mode='tensor')
        changed = model(flipped, data['data_samples'], mode='tensor')
    assert outs.cls_scores.shape == (2, 2, 5, 37)
    assert outs.sub_boxes.shape == outs.obj_boxes.shape == (2, 2, 5, 4)
    assert outs.attention.shape == (2, 2, 5, 3)
    assert outs.spatial.shape == (2, 2, 5, 6)
    assert outs.contacting.shape == (2, 2, 5, 17)
    assert ((outs.sub_boxes > 0) & (outs.sub_boxes < 1)).all()
    for f in fields(outs):
        x = getattr(outs, f.name)
        torch.testing.assert_close(x[:, 1:], getattr(alone, f.name),
                                   atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(getattr(changed, f.name)[:, 1], x[:, 1],
                                   atol=1e-5, rtol=1e-5)
    assert not torch.allclose(changed.cls_scores[:, 0], outs.cls_scores[:, 0])


def _check_prediction(sample, ori_shape, max_pairs):
    inst, pairs = sample.pred_instances, sample.pred_pairs
    num_inst, num_pairs = len(inst), len(pairs)
    assert num_inst == num_pairs + 1 and num_pairs <= max_pairs
    assert inst.labels[0].item() == 1
    assert ((inst.labels >= 1) & (inst.labels <= 36)).all()
    assert ((inst.scores >= 0) & (inst.scores <= 1)).all()
    boxes = inst.bboxes
    assert boxes.shape == (num_inst, 4)
    assert (boxes[:, 0] <= boxes[:, 2]).all()
    assert (boxes[:, 1] <= boxes[:, 3]).all()
    assert boxes[:, 0::2].max() <= ori_shape[1]
    assert boxes[:, 1::2].max() <= ori_shape[0]
    assert pairs.pair_inds.shape == (num_pairs, 2)
    assert (pairs.pair_inds[:, 0] == 0).all()
    assert pairs.pair_inds[:, 1].tolist() == list(range(1, num_pairs + 1))
    assert torch.allclose(pairs.attention_scores.sum(-1),
                          torch.ones(num_pairs))
    for key, width in (('spatial_scores', 6), ('contacting_scores', 17)):
        value = pairs.get(key)
        assert value.shape == (num_pairs, width)
        assert ((value >= 0) & (value <= 1)).all()


def test_sgdet_predict_follows_contract_and_rescales():
    """Inputs are 2x the original frames: boxes must come back halved."""
    torch.manual_seed(0)
    model = build_tiny_model('sgdet', num_queries=7)
    model.bbox_head.test_cfg['max_per_img'] = 5
    data = demo_sg_track_inputs(
        batch_size=2, image_shapes=(3, 64, 96), scale_factor=(2., 2.))
    data = model.data_preprocessor(data, False)
    model.eval()
    with torch.no_grad():
        results = model(**data, mode='predict')
        boxes = [r.pred_instances.bboxes.clone() for r in results]
        assert len(results) == 2
        for sample in results:
            assert sample.metainfo['ori_shape'] == (32, 48)
            assert sample.frame_key.endswith('000001.png')
            _check_prediction(sample, (32, 48), 5)
        rescaled = model.predict(
            data['inputs'], data['data_samples'], rescale=False)
    for a, b in zip(boxes, rescaled):
        torch.testing.assert_close(a * 2, b.pred_instances.bboxes)


def test_key_frame_of_multi_frame_clips_is_predicted():
    torch.manual_seed(0)
    model = build_tiny_model('sgdet')
    data = demo_sg_track_inputs(batch_size=2, num_frames=3, key_frame_ind=1,
                                image_shapes=(3, 64, 64))
    data = model.data_preprocessor(data, False)
    assert data['inputs'].shape == (2, 3, 3, 64, 64)
    model.eval()
    with torch.no_grad():
        results = model(**data, mode='predict')
    assert [r.frame_key for r in results] == [
        'demo0.mp4/000002.png', 'demo1.mp4/000002.png']
    losses = model(**data, mode='loss')
    assert torch.isfinite(sum(losses.values()))


@pytest.mark.parametrize('task', ['predcls', 'sgcls'])
def test_gt_pair_tasks_predict_gt_pairs(task):
    torch.manual_seed(0)
    model = build_tiny_model(task)
    data = demo_sg_track_inputs(batch_size=2, image_shapes=(3, 64, 96),
                                num_objects=[3, 1], scale_factor=(2., 2.))
    gt = [t.video_data_samples[0] for t in data['data_samples']]
    gt_boxes = [s.gt_instances.bboxes.clone() for s in gt]
    gt_labels = [s.gt_instances.labels.clone() for s in gt]
    data = model.data_preprocessor(data, False)
    model.eval()
    with torch.no_grad():
        results = model(**data, mode='predict')
    for sample, boxes, labels in zip(results, gt_boxes, gt_labels):
        _check_prediction(sample, (32, 48), 100)
        inst = sample.pred_instances
        assert len(inst) == len(labels)
        torch.testing.assert_close(inst.bboxes, boxes / 2, atol=0.05,
                                   rtol=0)
        if task == 'predcls':
            assert torch.equal(inst.labels, labels)
            assert (inst.scores == 1).all()


def test_task_and_generator_must_agree():
    from ._helpers import tiny_model_cfg
    cfg = tiny_model_cfg('sgdet')
    cfg.task = 'predcls'
    with pytest.raises(ValueError, match='GTPairQueryGenerator'):
        MODELS.build(cfg)
