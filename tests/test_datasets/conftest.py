"""Fixtures of the dataset tests: an editable copy of the tiny AG fixture."""
import os.path as osp
import shutil

import pytest

AG_TINY = osp.join(osp.dirname(__file__), '..', 'data', 'ag_tiny')


@pytest.fixture
def ag_copy(tmp_path):
    """A copy of tests/data/ag_tiny (annotations and frames) to edit with
    :func:`tests.test_datasets.ag_edit.edit_annotation`."""
    root = tmp_path / 'ag'
    shutil.copytree(osp.join(AG_TINY, 'annotations'), root / 'annotations')
    shutil.copytree(osp.join(AG_TINY, 'frames'), root / 'frames')
    return root
