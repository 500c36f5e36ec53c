"""Pieces of tools/main_job.py that must hold on a fresh clone."""
import os.path as osp
import runpy

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MAIN_JOB = runpy.run_path(osp.join(REPO, 'tools', 'main_job.py'))


def test_default_config_needs_the_tiny_vlm_through_inheritance():
    # The default config names no VLM itself; its base does. A text search
    # of the file missed it, so a fresh clone had no data/tiny_clip.
    default = MAIN_JOB['DEFAULT_CONFIG']
    with open(osp.join(REPO, default)) as f:
        assert 'tiny_clip' not in f.read()
    assert MAIN_JOB['tiny_vlm_dir'](default) == 'data/tiny_clip'


def test_no_tiny_vlm_for_configs_without_one_or_with_a_real_one():
    tiny_vlm_dir = MAIN_JOB['tiny_vlm_dir']
    assert tiny_vlm_dir(
        'configs/vost/vost-spatial_r18_1xb8-20e_synthetic-ag-sgdet.py') is None
    assert tiny_vlm_dir('configs/vost/vost_r50_8xb2-12e_ag-sgdet.py') is None
