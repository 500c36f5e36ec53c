"""Test-suite wide settings: offline, deterministic, small thread pools."""
import os

os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('TRANSFORMERS_OFFLINE', '1')
os.environ.setdefault('HF_DATASETS_OFFLINE', '1')
os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')

import pytest  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope='session')
def repo_root() -> str:
    """Absolute path of the repository root."""
    return REPO_ROOT


@pytest.fixture(autouse=True, scope='session')
def _register_vost():
    """Register every VOST module once, under the ``vost`` scope."""
    from vost.utils import register_all_modules
    register_all_modules(init_default_scope=True)
