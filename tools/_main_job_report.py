"""The main job's step runner, evaluation and report: eval_sgg runs, the
recall table, the subset table of the video world (a part of
tools/main_job.py, not a script)."""
import json
import os
import os.path as osp
import subprocess
import sys
import time

__all__ = ['run', 'evaluate', 'world_args', 'torch_threads', 'print_table',
           'print_subset_table', 'SUBSET_COLUMNS']

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
KS = (10, 20, 50)
CONSTRAINTS = ('with', 'semi', 'no')
#: The subset recalls printed after the main table (when evaluated):
#: column title -> metric key.
SUBSET_COLUMNS = {
    'R@20': 'with/R@20',
    'mR@20': 'with/mR@20',
    'motion mR@20': 'motion/with/mR@20',
    'occluded R@20': 'occluded/with/R@20',
    'cut R@20': 'border_cut/with/R@20',
    'tail-pred mR@20': 'pred_tail/with/mR@20',
    'tail-cls R@20': 'cls_tail/with/R@20',
}


def run(cmd) -> float:
    """Run a project tool, streaming its output; stop on failure.

    Returns:
        float: Seconds it took.
    """
    print(f'\n$ {" ".join(cmd)}', flush=True)
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    start = time.time()
    proc = subprocess.run(cmd, cwd=REPO, env=env)
    if proc.returncode != 0:
        sys.exit(f'main job: step failed ({proc.returncode}): '
                 f'{" ".join(cmd)}')
    return time.time() - start


def evaluate(data_root, preds, task, out_json, subjects='one_person',
             extra=()):
    """Evaluate a prediction file with the CLI and read its JSON."""
    run([
        sys.executable, 'tools/analysis_tools/eval_sgg.py', data_root, preds,
        '--task', task, '--json', out_json, '--subjects', subjects, *extra
    ])
    with open(out_json) as f:
        return json.load(f)


def world_args(data_root: str) -> list:
    """eval_sgg's subset flags for a video-world data set: its frame and
    motion subsets and the head / body / tail split by training frequency
    (none for other data)."""
    path = osp.join(data_root, 'annotations', 'synthetic_subsets.json')
    if not osp.isfile(path):
        return []
    return ['--world-subsets', '--frequency-subsets']


def torch_threads() -> int:
    """torch's intra-op threads in this environment (results depend on
    it in the last bits)."""
    import torch
    return torch.get_num_threads()


def print_table(rows, seed):
    """Print R@K / mR@K per constraint for every evaluated model."""
    cols = [f'{c}/R@{k}' for c in CONSTRAINTS for k in KS] + \
        [f'{c}/mR@{k}' for c in CONSTRAINTS for k in KS]
    name_w = max(len(n) for n in rows) + 2
    print('\nScene-graph recall in % on the synthetic Action Genome test '
          f'split (training seed {seed}, {torch_threads()} torch threads)')
    for group in (cols[:9], cols[9:]):
        print(f'{"":{name_w}s}' + ''.join(f'{c:>11s}' for c in group))
        for name, metrics in rows.items():
            print(f'{name:{name_w}s}' + ''.join(
                f'{100 * metrics[c]:11.2f}' for c in group))


def print_subset_table(rows):
    """Print the subset recalls (video world: motion predicates, occluded
    and border-cut frames, tail predicates and classes; with constraint,
    %) of every row that has them."""
    have = {n: m for n, m in rows.items() if 'motion/with/R@20' in m}
    if not have:
        return
    cols = [c for c, k in SUBSET_COLUMNS.items()
            if any(k in m for m in have.values())]
    name_w = max(len(n) for n in have) + 2
    print('\nSubset recalls in % (with constraint; motion: the motion-decided '
          'predicates, occluded / cut: key frames with an occluded / '
          'border-cut object, tail: the rarest third by training frequency; '
          '-: the subset has no GT triplet)')
    print(f'{"":{name_w}s}' + ''.join(f'{c:>16s}' for c in cols))
    for name, m in have.items():
        vals = [m.get(SUBSET_COLUMNS[c], float('nan')) for c in cols]
        print(f'{name:{name_w}s}' + ''.join(
            f'{100 * v:16.2f}' if v == v else f'{"-":>16s}'  # NaN: no GT
            for v in vals))
