"""The package's layers: tables below everything, models and the
evaluation core free of the dataset package and mmcv's transforms."""
import ast
import os.path as osp
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _imported_after(statement, prefixes):
    """The modules named ``prefixes*`` that a fresh interpreter running
    ``statement`` has loaded."""
    code = (f'{statement}\n'
            'import sys\n'
            f'bad = sorted(m for m in sys.modules if m.startswith('
            f'{tuple(prefixes)!r}))\n'
            'print(bad)\n')
    out = subprocess.run([sys.executable, '-c', code], cwd=REPO,
                         capture_output=True, text=True, check=True)
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize('statement', [
    'import vost.structures.ag_meta',
    'import vost.evaluation.functional',
])
def test_tables_and_evaluation_core_load_no_data_code(statement):
    # neither the dataset package nor mmcv's transforms (nor mmdet)
    assert _imported_after(
        statement, ['vost.datasets', 'mmcv.transforms', 'mmdet']) == []


def test_models_do_not_load_the_dataset_package():
    # (mmdet itself imports mmcv's transforms)
    assert _imported_after('import vost.models', ['vost.datasets']) == []


def test_the_tables_import_nothing():
    path = osp.join(REPO, 'vost', 'structures', 'ag_meta.py')
    tree = ast.parse(open(path).read())
    imported = [
        alias.name if isinstance(node, ast.Import) else node.module
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in getattr(node, 'names', [])
    ]
    assert set(imported) <= {'typing'}, imported


def test_the_tables_are_defined_once():
    # the group names and class counts are read from the tables, never
    # restated as literals elsewhere in the package
    hits = subprocess.run(
        ['git', 'grep', '-n', '-E',
         r"\('attention', 'spatial', 'contacting'\)|_NUM_CLASSES = 3[67]",
         '--', 'vost'], cwd=REPO, capture_output=True, text=True).stdout
    assert hits == '', hits
