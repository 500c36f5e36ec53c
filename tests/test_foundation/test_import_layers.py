"""The package's layers: tables below everything, models and the
evaluation core free of the dataset package and mmcv's transforms."""
import ast
import glob
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


@pytest.mark.parametrize('statement', [
    'import vost.models',
    'import vost.evaluation',
    'from vost.evaluation.metrics import ActionGenomeSGGMetric',
])
def test_models_and_evaluation_do_not_load_the_dataset_package(statement):
    # (mmdet itself imports mmcv's transforms); the metric reads the GT
    # files through vost.ag_format, below the dataset package
    assert _imported_after(statement, ['vost.datasets']) == []


def test_the_annotation_reader_imports_only_numpy_and_the_tables():
    # vost.ag_format sits below the dataset, the metric and the numpy-only
    # evaluation CLI (tools/analysis_tools/eval_sgg.py)
    allowed = {'numpy', 'vost.structures.ag_meta'}
    stdlib = set(sys.stdlib_module_names)
    for path in sorted(glob.glob(osp.join(REPO, 'vost', 'ag_format',
                                          '*.py'))):
        tree = ast.parse(open(path).read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            bad = [n for n in names
                   if n not in allowed and n.split('.')[0] not in stdlib]
            assert not bad, f'{path} imports {bad}'


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


def test_the_models_do_not_load_the_tiny_vlm_makers_or_tools():
    # vost.pretraining (tiny VLMs, their pretraining) and vost.testing sit
    # above the models
    assert _imported_after('import vost.models',
                           ['vost.pretraining', 'vost.testing']) == []


def test_utils_import_no_other_layer_but_through_setup_env():
    # vost.utils sits below every other layer: only setup_env's
    # register_all_modules imports the others, inside the function
    allowed = {'vost.utils'}
    for path in sorted(glob.glob(osp.join(REPO, 'vost', 'utils', '*.py'))):
        if osp.basename(path) == 'setup_env.py':
            continue
        tree = ast.parse(open(path).read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                # from .x (vost.utils itself), from ..x (vost: another layer)
                names = ['vost.utils' if node.level == 1 else 'vost'] \
                    if node.level else [node.module]
            else:
                continue
            bad = [n for n in names if n.split('.')[0] == 'vost'
                   and not any(n == a or n.startswith(a + '.')
                               for a in allowed)]
            assert not bad, f'{path} imports {bad}'
