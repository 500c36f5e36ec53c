"""Register VOST's modules and set the default scope."""
import datetime
import warnings

from mmengine import DefaultScope

__all__ = ['register_all_modules']


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every VOST module so that its registry entries exist.

    Also imports mmdet's modules (VOST configs name them with the ``mmdet.``
    prefix) and applies the stack fixes of :mod:`vost.utils.compat`.

    Args:
        init_default_scope (bool): Whether to make ``'vost'`` the default
            scope. If another scope is current, a new ``vost`` scope instance
            is created and made current. Defaults to True.
    """
    import mmdet.utils

    import vost.datasets  # noqa: F401,F811
    import vost.engine  # noqa: F401,F811
    import vost.evaluation  # noqa: F401,F811
    import vost.models  # noqa: F401,F811
    import vost.structures  # noqa: F401,F811
    import vost.visualization  # noqa: F401,F811
    from .compat import apply_stack_fixes

    mmdet.utils.register_all_modules(init_default_scope=False)
    apply_stack_fixes()

    if init_default_scope:
        never_created = DefaultScope.get_current_instance() is None \
            or not DefaultScope.check_instance_created('vost')
        if never_created:
            DefaultScope.get_instance('vost', scope_name='vost')
            return
        current_scope = DefaultScope.get_current_instance()
        if current_scope.scope_name != 'vost':
            warnings.warn('The current default scope '
                          f'"{current_scope.scope_name}" is not "vost", '
                          '`register_all_modules` will force the current '
                          'default scope to be "vost". If this is not '
                          'expected, please set `init_default_scope=False`.')
            new_instance_name = f'vost-{datetime.datetime.now()}'
            DefaultScope.get_instance(new_instance_name, scope_name='vost')
