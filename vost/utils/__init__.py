"""Utilities: module registration and stack fixes."""
from .compat import (adapt_cfg_for_device, apply_stack_fixes,
                     enable_vost_config_scope,
                     register_trusted_checkpoint_loader, setup_cpu_distributed)
from .setup_env import register_all_modules

__all__ = [
    'register_all_modules', 'register_trusted_checkpoint_loader',
    'setup_cpu_distributed', 'adapt_cfg_for_device', 'apply_stack_fixes',
    'enable_vost_config_scope'
]
