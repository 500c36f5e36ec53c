"""--cfg-options that would change nothing are refused before the run;
hook options are checked when the runner builds the hook."""
import os
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config, DictAction

from vost.engine.hooks import AtomicCheckpointHook
from vost.utils import register_all_modules
from vost.engine.cfg_options import check_cfg_options

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'vost',
                  'vost_r18_1xb8-3e_synthetic-ag-sgdet.py')


@pytest.fixture(scope='module')
def cfg():
    register_all_modules()
    return Config.fromfile(CONFIG)


@pytest.mark.parametrize('key, value', [
    ('train_cfg.max_epochs', 1), ('randomness.seed', 1),
    ('randomness.diff_rank_seed', 1), ('model.backbone.depth', 1),
    ('model.bbox_head.feature_bank.box_pooling', 1),
    ('train_dataloader.dataset.clip_sampler.num_ref_frames', 1),
    ('load_from', 1), ('work_dir', 'w'), ('optim_wrapper.optimizer.lr', 1),
    ('env_cfg.cudnn_benchmark', True), ('model.backbone.init_cfg', None),
    ('custom_hooks', [])
])
def test_effective_options_pass(cfg, key, value):
    check_cfg_options(cfg, {key: value}, 'CFG')


@pytest.mark.parametrize('key, needles', [
    ('max_epochs', ['variable', 'changes nothing', 'train_cfg.max_epochs']),
    ('vlm_name', ['variable', 'model.vlm_encoder.model_name']),
    ('maxepochs', ["no top-level key 'maxepochs'", 'near: max_epochs']),
    ('train_cfg.max_epoch', ['not an argument of',
                             'ResumableEpochBasedTrainLoop',
                             'near: max_epochs']),
    ('model.bbox_head.feature_bank.box_pool',
     ['not an argument of MultiModalFeatureBank']),
    ('model.backbone.deep.x', ["no key 'model.backbone.deep'"]),
    ('model.test_cfg.no_such_option', ["no key 'model.test_cfg."]),
])
def test_ineffective_options_are_refused(cfg, key, needles):
    with pytest.raises(KeyError) as info:
        check_cfg_options(cfg, {key: 1}, 'CFG')
    for needle in needles:
        assert needle in info.value.args[0], info.value.args[0]


def test_the_train_tool_refuses_before_running(tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', 'tests/data/configs/'
         'toy_runtime.py', '--work-dir', str(tmp_path), '--cfg-options',
         'train_cfg.max_iter=5'], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=300)
    assert proc.returncode == 1
    assert 'Traceback' not in proc.stderr
    assert "'max_iter' is not an argument of IterBasedTrainLoop" in \
        proc.stderr
    assert 'near: max_iters' in proc.stderr
    assert not os.listdir(tmp_path)  # nothing ran


def test_a_hook_option_typo_fails_when_the_hook_is_built():
    with pytest.raises(TypeError, match=r"'intervl' \(near: interval\)"):
        AtomicCheckpointHook(intervl=2)
    hook = AtomicCheckpointHook(interval=2, max_keep_ckpts=1,
                                save_optimizer=False)
    assert hook.interval == 2


def _main_job_test_options(config):
    """The --cfg-options tools/main_job.py adds to its test runs, with
    another data root and the several-people options of
    tools/run_several_people.sh."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'main_job', osp.join(REPO, 'tools', 'main_job.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    roots = module.data_root_options(config, 'data/elsewhere')
    assert len(roots) == 5
    assert module.data_root_options(
        config, module.data_settings(config)[0] + '/') == []
    return [*roots, *module.vlm_class_options(0.33),
            'test_evaluator.subjects=per_triplet',
            'model.test_cfg.person_box=per_subject']


@pytest.mark.parametrize('name', [
    'vost_r18_1xb8-3e_synthetic-ag-sgdet.py',
    'ablations/vost-no-dual-source_r18_1xb8-3e_synthetic-ag-sgdet.py',
    'ablations/vost-no-feature-bank_r18_1xb8-3e_synthetic-ag-sgdet.py',
    'ablations/vost-random-vlm_r18_1xb8-3e_synthetic-ag-sgdet.py',
    'vost-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py',
    'vost_r50_8xb2-12e_ag-sgdet.py',
    'vost_r18_1xb8-3e_synthetic-ag-3people-sgdet.py',
])
def test_main_job_options_are_accepted(name):
    """The main job's test run with the VLM box classes passes the check
    of tools/test.py on every config the main job and the ablations run."""
    register_all_modules()
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'vost', name))
    options = {  # values parsed as DictAction parses the command line
        k: DictAction._parse_iterable(v) for k, v in (
            o.split('=', 1) for o in _main_job_test_options(
                osp.join('configs', 'vost', name)))}
    check_cfg_options(cfg, options, name)


@pytest.mark.parametrize('key, value, message', [
    ('train_cfg.max_epochs', 'abc',
     "--cfg-options train_cfg.max_epochs='abc': the value it replaces is an "
     'int (3), this is a str (in CFG)'),
    ('train_cfg.max_epochs', 2.5,
     '--cfg-options train_cfg.max_epochs=2.5: the value it replaces is an '
     'int (3), this is a float (in CFG)'),
    ('env_cfg.cudnn_benchmark', 1,
     '--cfg-options env_cfg.cudnn_benchmark=1: the value it replaces is a '
     'bool (False), this is an int: write True or False (in CFG)'),
    ('optim_wrapper.optimizer.lr', True,
     '--cfg-options optim_wrapper.optimizer.lr=True: the value it replaces '
     'is a float (0.0008), this is a bool (in CFG)'),
    ('model.backbone', 'ResNet',
     "--cfg-options model.backbone='ResNet': the config holds a dict there"),
    ('param_scheduler', 'x',
     "--cfg-options param_scheduler='x': the value it replaces is a list"),
    ('model.task', 3,
     '--cfg-options model.task=3: the value it replaces is a str '
     "('sgdet'), this is an int: a str that looks like a number"),
])
def test_values_of_the_wrong_type_are_refused(cfg, key, value, message):
    with pytest.raises(ValueError) as info:
        check_cfg_options(cfg, {key: value}, 'CFG')
    assert info.value.args[0].startswith(message), info.value.args[0]


def test_train_names_a_value_of_the_wrong_type_before_running(
        tmp_path, monkeypatch):
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'train_tool', osp.join(REPO, 'tools', 'train.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    monkeypatch.setenv('LOCAL_RANK', '0')
    monkeypatch.setattr(sys, 'argv', [
        'train.py', 'tests/data/configs/toy_runtime.py', '--work-dir',
        str(tmp_path), '--cfg-options', 'train_cfg.max_iters=abc'])
    monkeypatch.chdir(REPO)
    with pytest.raises(SystemExit) as info:
        tool.main()
    assert str(info.value.code) == (
        "error: --cfg-options train_cfg.max_iters='abc': the value it "
        'replaces is an int (2), this is a str (in tests/data/configs/'
        'toy_runtime.py)')
    assert not os.listdir(tmp_path)  # nothing ran
