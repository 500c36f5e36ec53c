"""tools/analysis_tools/ablation_table.py: mean +- sample std per row."""
import json
import os.path as osp
import runpy

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TABLE = runpy.run_path(
    osp.join(REPO, 'tools', 'analysis_tools', 'ablation_table.py'))


def _write(root, row, seed, r20, threads=2):
    d = root / row / f'seed_{seed}'
    d.mkdir(parents=True)
    metrics = {c: 0.5 for c in TABLE['COLUMNS']}
    metrics['with/R@20'] = r20
    (d / 'main_job_results.json').write_text(json.dumps(dict(
        config=f'configs/{row}.py', seed=seed, torch_threads=threads,
        seconds=dict(total=600 + 60 * seed),
        metrics={'VOST (trained)': metrics})))


def test_mean_and_sample_std_by_hand(tmp_path):
    for seed, r20 in ((0, 0.30), (1, 0.36), (2, 0.42)):
        _write(tmp_path, 'a', seed, r20)
    _write(tmp_path, 'b', 0, 0.25, threads=1)
    table = TABLE['make_table'](str(tmp_path), ['a', 'b', 'c'])
    lines = table.splitlines()
    assert len(lines) == 5
    row_a = lines[2].split(' | ')
    assert row_a[2:4] == ['0,1,2', '2,2,2']
    # mean 36.00, sample std sqrt(((6)^2 + 0 + 6^2) / 2) = 6.00
    assert row_a[5] == '36.00 +- 6.00'
    assert row_a[4] == '50.00 +- 0.00'
    assert lines[2].endswith('| 11.0 |')  # minutes: mean of 10, 11, 12
    row_b = lines[3].split(' | ')
    assert row_b[5] == '25.00'  # one seed: no std
    assert '(not run)' in lines[4]
