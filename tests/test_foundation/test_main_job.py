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
              'vost-no-textual-cue_r18_1xb8-3e_synthetic-ag-sgdet.py')
    with open(osp.join(REPO, config)) as f:
        assert 'tiny_clip' not in f.read()
    assert MAIN_JOB['tiny_vlm_dir'](config) == 'data/tiny_clip_synthetic'
    # the default config reads the pretrained tiny CLIP, the ablation row
    # the random one
    assert MAIN_JOB['tiny_vlm_dir'](
        MAIN_JOB['DEFAULT_CONFIG']) == 'data/tiny_clip_synthetic'
    assert MAIN_JOB['tiny_vlm_dir'](
        'configs/vost/ablations/'
        'vost-random-vlm_r18_1xb8-3e_synthetic-ag-sgdet.py') == \
        'data/tiny_clip'


def test_no_tiny_vlm_for_configs_without_one_or_with_a_real_one():
    tiny_vlm_dir = MAIN_JOB['tiny_vlm_dir']
    assert tiny_vlm_dir(
        'configs/vost/vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py') is None
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
    # every row of the table has a config, and every config exists
    rows = re.search(r'ALL_ROWS="([^"]+)"', text).group(1).split()
    assert len(rows) == 7, rows
    for row in rows:
        out = subprocess.run(
            ['bash', '-c', f'source <(sed -n "/^config_of()/,/^}}/p" '
             f'{script}); C=configs/vost; A=$C/ablations; config_of {row}'],
            cwd=REPO, capture_output=True, text=True, check=True)
        assert osp.isfile(osp.join(REPO, out.stdout.strip())), (row, out)
    assert 'random-vlm' in rows and 'vost-spatial' in rows


def test_seed_of_reads_the_option_or_the_override():
    args = MAIN_JOB['parse_args'](['--seed', '3'])
    assert MAIN_JOB['seed_of'](args) == 3
    args = MAIN_JOB['parse_args'](
        ['--seed', '3', '--cfg-options', 'randomness.seed=5'])
    assert MAIN_JOB['seed_of'](args) == 5
    assert MAIN_JOB['seed_of'](MAIN_JOB['parse_args']([])) == 0


def test_data_generated_with_another_seed_stops_the_job(tmp_path):
    import json
    ann = tmp_path / 'annotations'
    ann.mkdir()
    (ann / 'frame_list.txt').write_text('A1.mp4/000001.png\n')
    (tmp_path / 'main_job_data.json').write_text(
        json.dumps(dict(videos=1, data_seed=7)))
    with pytest.raises(SystemExit, match='data seed 7, not --data-seed 0'):
        MAIN_JOB['main']([
            '--data-root', str(tmp_path), '--videos', '1', '--work-dir',
            str(tmp_path / 'work')
        ])


def test_data_generated_with_another_people_count_stops_the_job(tmp_path):
    import json
    ann = tmp_path / 'annotations'
    ann.mkdir()
    (ann / 'frame_list.txt').write_text('A1.mp4/000001.png\n')
    (tmp_path / 'main_job_data.json').write_text(
        json.dumps(dict(videos=1, data_seed=0, max_people=1)))
    with pytest.raises(SystemExit, match='--max-people 1, not 3'):
        MAIN_JOB['main']([
            '--data-root', str(tmp_path), '--videos', '1', '--max-people',
            '3', '--work-dir', str(tmp_path / 'work')
        ])


def test_several_people_config_states_its_data_and_metric():
    config = 'configs/vost/vost_r18_1xb8-3e_synthetic-ag-3people-sgdet.py'
    assert MAIN_JOB['data_settings'](config) == ('data/synthetic_ag_3people',
                                                 3)
    assert MAIN_JOB['subjects_of'](config) == 'per_triplet'
    one = 'configs/vost/vost_r18_1xb8-3e_synthetic-ag-sgdet.py'
    assert MAIN_JOB['data_settings'](one) == ('data/synthetic_ag', 1)
    assert MAIN_JOB['subjects_of'](one) == 'one_person'
    assert MAIN_JOB['subjects_of'](
        one, ['test_evaluator.subjects=per_triplet']) == 'per_triplet'


def test_several_people_script_parses_and_names_existing_configs():
    import re
    import subprocess
    script = osp.join(REPO, 'tools', 'run_several_people.sh')
    subprocess.run(['bash', '-n', script], check=True)
    with open(script) as f:
        text = f.read()
    configs = re.findall(r'^(?:ONE|MANY)=(\S+)$', text, re.M)
    assert len(configs) == 2
    for config in configs:
        assert osp.isfile(osp.join(REPO, config)), config
    assert MAIN_JOB['data_settings'](configs[1])[0] == osp.normpath(
        re.search(r'^D3=(\S+)$', text, re.M).group(1))


def test_the_tiny_qwen_config_gets_its_tiny_vlm():
    config = 'configs/vost/vost-qwen2.5-vl_r18_1xb8-3e_synthetic-ag-sgdet.py'
    assert MAIN_JOB['tiny_vlm_dir'](config) == 'data/tiny_qwen2_5_vl'
    assert MAIN_JOB['RANDOM_VLMS']['data/tiny_qwen2_5_vl'] == 'qwen2_5_vl'
    assert MAIN_JOB['tiny_vlm_dir'](
        'configs/vost/vost-qwen2.5-vl_r50_8xb2-12e_ag-sgdet.py') is None


def test_another_configs_data_set_keeps_its_people_count(tmp_path):
    import json
    ann = tmp_path / 'annotations'
    ann.mkdir()
    (ann / 'frame_list.txt').write_text('A1.mp4/000001.png\n')
    (tmp_path / 'main_job_data.json').write_text(
        json.dumps(dict(videos=1, data_seed=0, max_people=3)))
    # a one-person config tested on a 3-people set: no --max-people needed
    assert MAIN_JOB['main']([
        '--config', 'configs/vost/vost-spatial_r18_1xb8-3e_synthetic-ag-'
        'sgdet.py', '--data-root', str(tmp_path), '--videos', '1',
        '--work-dir', str(tmp_path / 'work'), '--prepare-only'
    ]) is None
