"""Pieces of tools/main_job.py that must hold on a fresh clone."""
import os.path as osp
import runpy

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MAIN_JOB = runpy.run_path(osp.join(REPO, 'tools', 'main_job.py'))


def test_tiny_vlm_found_through_inheritance():
    # An ablation config names no VLM itself; its base does. A text search
    # of the file missed such configs, so a fresh clone had no
    # data/tiny_clip.
    config = ('configs/vost/ablations/'
              'vost-no-textual-cue_r18_1xb8-2e_synthetic-ag-sgdet.py')
    with open(osp.join(REPO, config)) as f:
        assert 'tiny_clip' not in f.read()
    assert MAIN_JOB['tiny_vlm_dir'](config) == 'data/tiny_clip'
    assert MAIN_JOB['tiny_vlm_dir'](
        MAIN_JOB['DEFAULT_CONFIG']) == 'data/tiny_clip'


def test_no_tiny_vlm_for_configs_without_one_or_with_a_real_one():
    tiny_vlm_dir = MAIN_JOB['tiny_vlm_dir']
    assert tiny_vlm_dir(
        'configs/vost/vost-spatial_r18_1xb8-2e_synthetic-ag-sgdet.py') is None
    assert tiny_vlm_dir('configs/vost/vost_r50_8xb2-12e_ag-sgdet.py') is None


def test_existing_data_with_another_video_count_stops_the_job(tmp_path):
    ann = tmp_path / 'annotations'
    ann.mkdir()
    (ann / 'frame_list.txt').write_text(
        'A1.mp4/000001.png\nA1.mp4/000005.png\nB2.mp4/000003.png\n')
    assert MAIN_JOB['existing_videos'](str(tmp_path)) == 2
    assert MAIN_JOB['existing_videos'](str(tmp_path / 'none')) is None
    with pytest.raises(SystemExit, match='holds 2 videos, not --videos 3'):
        MAIN_JOB['main']([
            '--data-root', str(tmp_path), '--videos', '3', '--work-dir',
            str(tmp_path / 'work')
        ])


def test_ablation_script_parses_and_names_existing_configs():
    import re
    import subprocess
    script = osp.join(REPO, 'tools', 'run_ablations.sh')
    subprocess.run(['bash', '-n', script], check=True)
    with open(script) as f:
        text = f.read()
    configs = re.findall(r'\$C/([\w./-]+\.py)', text)
    # six rows plus the data-preparation call
    assert len(configs) == 7, configs
    for config in configs:
        assert osp.isfile(osp.join(REPO, 'configs', 'vost', config)), config
    rows = re.findall(r"^\s+(?:row|stage2) ([\w-]+) ", text, re.M)
    table = re.search(r"rows = \[(.*?)\]", text, re.S).group(1)
    assert sorted(rows) == sorted(re.findall(r"'([\w-]+)'", table))
