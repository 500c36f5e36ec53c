"""Every results JSON (main job, test, benchmark) records the machine that
made the numbers: bitwise equality holds per machine and torch build, not
across CPUs."""
import glob
import importlib.util
import json
import os.path as osp
import sys
from importlib import metadata

import pytest
import torch
from mmengine.config import Config

from vost.apis import init_sg_model
from vost.registry import RUNNERS
from vost.utils.machine_info import (add_machine_info, cpu_model,
                                     machine_info)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
AG_TINY = osp.join(REPO, 'tests', 'data', 'ag_tiny')
SGDET = osp.join('configs', 'vost',
                 'vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py')


def _expected(device='cpu'):
    return dict(cpu_capability=torch.backends.cpu.get_cpu_capability(),
                torch=metadata.version('torch'),
                mmcv=metadata.version('mmcv'),
                torch_threads=torch.get_num_threads(), device=device)


def test_machine_info_is_torch_s_own_view():
    info = machine_info('cpu')
    for key, value in _expected().items():
        assert info[key] == value, key
    if osp.isfile('/proc/cpuinfo'):
        with open('/proc/cpuinfo') as f:
            names = [line.split(':', 1)[1].strip() for line in f
                     if line.startswith('model name')]
        if names:
            assert cpu_model() == names[0] == info['cpu_model']


def test_add_machine_info_to_an_object_and_to_rows(tmp_path):
    obj, rows, bad = (tmp_path / n for n in ('o.json', 'r.json', 'b.json'))
    obj.write_text('{"with/R@20": 0.5}')
    rows.write_text('[{"wall_s": 1.0}, {"wall_s": 2.0}]')
    bad.write_text('3')
    add_machine_info(str(obj), 'cpu', indent=None)
    text = obj.read_text()
    assert text.count('\n') == 1  # one line, as mmengine's test JSON
    content = json.loads(text)
    assert content['with/R@20'] == 0.5
    assert content['machine'] == machine_info('cpu')
    add_machine_info(str(rows), 'cpu')
    assert [r['machine']['torch_threads'] for r in json.loads(
        rows.read_text())] == [torch.get_num_threads()] * 2
    with pytest.raises(ValueError, match=f'{bad}: results must be an '
                       'object or a list of objects'):
        add_machine_info(str(bad))
    assert bad.read_text() == '3'


def test_the_test_results_json_records_the_machine(tmp_path):
    torch.manual_seed(0)
    checkpoint = str(tmp_path / 'random.pth')
    torch.save({'state_dict': init_sg_model(SGDET).state_dict(),
                'meta': {}}, checkpoint)
    cfg = Config.fromfile(osp.join(REPO, SGDET))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.load_from = checkpoint
    cfg.test_dataloader.dataset.data_root = AG_TINY
    cfg.test_dataloader.num_workers = 0
    cfg.test_dataloader.persistent_workers = False
    cfg.test_evaluator.data_root = AG_TINY
    cfg.model.backbone.init_cfg = None
    metrics = RUNNERS.build(cfg).test()
    (path, ) = glob.glob(osp.join(cfg.work_dir, '*', '*.json'))
    with open(path) as f:
        lines = [json.loads(line) for line in f]
    assert len(lines) == 1
    assert lines[0]['with/R@20'] == pytest.approx(metrics['with/R@20'])
    for key, value in _expected('cpu').items():
        assert lines[0]['machine'][key] == value, key


def _main_job():
    spec = importlib.util.spec_from_file_location(
        'main_job', osp.join(REPO, 'tools', 'main_job.py'))
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, osp.join(REPO, 'tools'))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(osp.join(REPO, 'tools'))
    return module


def test_the_main_job_results_record_the_machine(tmp_path, monkeypatch):
    """The main job's steps faked (each tool has its own tests): its
    results JSON holds the machine beside the metrics."""
    main_job = _main_job()
    keys = [f'{c}/{m}@{k}' for c in ('with', 'semi', 'no')
            for m in ('R', 'mR') for k in (10, 20, 50)]

    def fake_run(cmd, *args, **kwargs):
        if 'make_synthetic_ag.py' in cmd[1]:
            ann = tmp_path / 'data' / 'annotations'
            ann.mkdir(parents=True)
            (ann / 'frame_list.txt').write_text('A.mp4/000001.png\n')
        if '--json' in cmd:
            with open(cmd[cmd.index('--json') + 1], 'w') as f:
                json.dump({k: 0.25 for k in keys}, f)
        return 1.0

    monkeypatch.setattr(main_job, 'run', fake_run)
    monkeypatch.setattr(sys.modules['_main_job_report'], 'run', fake_run)
    results = main_job.main([
        '--config', SGDET, '--data-root', str(tmp_path / 'data'),
        '--work-dir', str(tmp_path / 'work'), '--videos', '1',
        '--checkpoint', 'given.pth', '--no-baselines'])
    with open(tmp_path / 'work' / 'main_job_results.json') as f:
        written = json.load(f)
    assert written['metrics']['VOST (trained)']['with/R@20'] == 0.25
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    for key, value in _expected(device).items():
        assert written['machine'][key] == value, key
    assert results['machine'] == written['machine']


def test_the_benchmark_json_records_the_machine(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    spec = importlib.util.spec_from_file_location(
        'benchmark_tool',
        osp.join(REPO, 'tools', 'analysis_tools', 'benchmark.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    out = tmp_path / 'bench.json'
    res = tool.main(['data', '--keys', '300', '--synthetic-videos', '1',
                     '--synthetic-size', '64', '--json', str(out)])
    written = json.loads(out.read_text())
    assert written == json.loads(json.dumps(res))  # returned as written
    assert written['loader/test/s'] > 0
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    for key, value in _expected(device).items():
        assert written['machine'][key] == value, key
