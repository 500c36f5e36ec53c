"""A checkpoint of another config is an error for test, demo and
streaming (naming the first keys and both models), a partial load is an
option, and training's load_from warns and repeats it in the run
summary."""
import copy
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from vost.apis import init_sg_model
from vost.registry import RUNNERS
from vost.utils.checkpoint_fit import (CheckpointMismatchError,
                                       check_checkpoint_fit,
                                       checkpoint_mismatch)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(REPO, 'configs', 'vost')
SGDET = osp.join(CONFIGS, 'vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py')
PREDCLS = osp.join(CONFIGS,
                   'vost-spatial_r18_1xb8-3e_synthetic-ag-predcls.py')
AG_TINY = osp.join(REPO, 'tests', 'data', 'ag_tiny')
TOY = osp.join(REPO, 'tests', 'data', 'configs', 'toy_runtime.py')


class _Net(torch.nn.Module):

    def __init__(self, width=4, extra=False):
        super().__init__()
        self.a = torch.nn.Linear(3, width)
        self.bn = torch.nn.BatchNorm1d(width)
        if extra:
            self.b = torch.nn.Linear(2, 2)


def test_mismatch_names_keys_shapes_and_both_models():
    theirs = _Net(width=5, extra=True).state_dict()
    theirs.pop('bn.running_var')
    theirs.pop('bn.num_batches_tracked')  # ignored, as mmengine does
    ckpt = dict(state_dict={f'module.{k}': v for k, v in theirs.items()},
                meta=dict(cfg="model = dict(type='VOST', task='sgdet')\n",
                          experiment_name='vost_sgdet_20260101_100000'))
    mine = _Net(width=4)
    found = checkpoint_mismatch(mine, ckpt)
    assert found['missing'] == ['bn.running_var']
    assert found['unexpected'] == ['b.weight', 'b.bias']
    assert [k for k, _, _ in found['shapes']] == [
        'a.weight', 'a.bias', 'bn.weight', 'bn.bias', 'bn.running_mean']
    assert found['shapes'][0] == ('a.weight', (5, 3), (4, 3))
    with pytest.raises(CheckpointMismatchError) as info:
        check_checkpoint_fit(mine, ckpt, 'x.pth',
                             dict(type='VOST', task='predcls'), 'cfg.py')
    assert str(info.value) == (
        'checkpoint x.pth does not fit the model: 1 weight(s) of the model '
        'missing from it (bn.running_var); 2 weight(s) the model does not '
        'have (b.weight, b.bias); 5 weight(s) of another shape (a.weight: '
        '(5, 3) in the checkpoint, (4, 3) in the model, a.bias: (5,) in the '
        'checkpoint, (4,) in the model, bn.weight: (5,) in the checkpoint, '
        '(4,) in the model, bn.bias: (5,) in the checkpoint, (4,) in the '
        'model, bn.running_mean: (5,) in the checkpoint, (4,) in the '
        'model). The checkpoint was saved by a VOST model (task sgdet) '
        '(experiment vost_sgdet_20260101_100000); this config builds a VOST '
        'model (task predcls) (cfg.py). Use the config the checkpoint was '
        'trained with, or pass --allow-partial-load to load what fits (the '
        'rest keeps its initial values)')
    warned = []
    message = check_checkpoint_fit(mine, ckpt, 'x.pth', None, strict=False,
                                   warn=warned.append)
    assert warned == [message]
    assert message.endswith('loaded what fits, the rest keeps its initial '
                            'values')
    # a checkpoint of the same model fits (no message)
    assert check_checkpoint_fit(mine, dict(state_dict=mine.state_dict()),
                                'y.pth', None) is None


@pytest.fixture(scope='module')
def sgdet_checkpoint(tmp_path_factory):
    """An SGDet spatial model's checkpoint, with the config it records."""
    torch.manual_seed(0)
    model = init_sg_model(SGDET)
    path = str(tmp_path_factory.mktemp('ckpt') / 'sgdet.pth')
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(cfg=Config.fromfile(SGDET).pretty_text,
                              experiment_name='sgdet_run')), path)
    return path, model.state_dict()


def test_init_sg_model_refuses_a_checkpoint_of_another_config(
        sgdet_checkpoint):
    path, _ = sgdet_checkpoint
    with pytest.raises(CheckpointMismatchError) as info:
        init_sg_model(PREDCLS, path)
    message = str(info.value)
    assert message.startswith(f'checkpoint {path} does not fit the model: 1 '
                              'weight(s) of the model missing from it '
                              '(query_generator.label_embed.weight)')
    assert ('saved by a VOST model (task sgdet) (experiment sgdet_run); '
            'this config builds a VOST model (task predcls)') in message
    assert '--allow-partial-load' in message


def test_a_partial_load_keeps_the_rest_at_its_initial_values(
        sgdet_checkpoint):
    path, weights = sgdet_checkpoint
    torch.manual_seed(1)
    fresh = init_sg_model(PREDCLS)
    torch.manual_seed(1)
    partial = init_sg_model(PREDCLS, path, strict=False)
    key = 'query_generator.label_embed.weight'
    assert torch.equal(partial.state_dict()[key], fresh.state_dict()[key])
    name = 'backbone.conv1.weight'
    assert torch.equal(partial.state_dict()[name], weights[name])
    assert not torch.equal(fresh.state_dict()[name], weights[name])


def _runner_cfg(config, work_dir, **fields):
    cfg = Config.fromfile(config)
    cfg.work_dir = str(work_dir)
    cfg.test_dataloader.dataset.data_root = AG_TINY
    cfg.test_dataloader.num_workers = 0
    cfg.test_dataloader.persistent_workers = False
    cfg.test_evaluator.data_root = AG_TINY
    cfg.model.backbone.init_cfg = None
    cfg.merge_from_dict(fields)
    return cfg


def test_the_test_runner_loads_strictly(sgdet_checkpoint, tmp_path):
    path, _ = sgdet_checkpoint
    runner = RUNNERS.build(_runner_cfg(PREDCLS, tmp_path, load_from=path))
    with pytest.raises(CheckpointMismatchError,
                       match='query_generator.label_embed.weight'):
        runner.test()
    runner = RUNNERS.build(_runner_cfg(PREDCLS, tmp_path / 'partial',
                                       load_from=path))
    runner.allow_partial_load = True  # tools/test.py --allow-partial-load
    metrics = runner.test()
    assert 0 <= metrics['with/R@20'] <= 1


def test_training_load_from_warns_and_the_summary_repeats_it(tmp_path):
    ckpt = dict(state_dict={'linear.weight': torch.zeros(1, 4),
                            'head.weight': torch.zeros(2)})
    path = str(tmp_path / 'other.pth')
    torch.save(ckpt, path)
    cfg = Config.fromfile(TOY)
    cfg.work_dir = str(tmp_path / 'run')
    cfg.load_from = path
    cfg.custom_hooks = []
    runner = RUNNERS.build(copy.deepcopy(cfg))
    runner.train()
    log = open(glob.glob(osp.join(cfg.work_dir, '*', '*.log'))[0]).read()
    sentence = (f'checkpoint {path} does not fit the model: 1 weight(s) of '
                'the model missing from it (linear.bias); 1 weight(s) the '
                'model does not have (head.weight)')
    first = log.index(sentence)
    summary = log.index(f'run summary: {sentence}')
    assert first < log.index('Iter(train) [2/2]') < summary
    assert log.count('loaded what fits, the rest keeps its initial '
                     'values') == 2
