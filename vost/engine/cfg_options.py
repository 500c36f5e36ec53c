"""Check ``--cfg-options`` before they are merged: no silent no-ops.

mmengine merges any key: a typo creates a new key that nothing reads, and a
config file's top-level variable (``max_epochs = 12`` used as
``train_cfg = dict(max_epochs=max_epochs)``) has already been substituted
when the file was loaded, so overriding it changes nothing. Both run the
original settings without a word. :func:`check_cfg_options` refuses them:

- a key whose path does not exist, except a new argument of a typed dict
  (``type=...``) that its class's constructor takes by name (e.g.
  ``model.bbox_head.feature_bank.box_pooling``; the keys of a new
  dict-valued argument too, such as
  ``train_dataloader.dataset.video_subset.share``), and, in an untyped dict, a
  documented argument of the runner's (``randomness.diff_rank_seed``) or a
  key name the config uses elsewhere; the error lists the near matches
  among the existing keys;
- a top-level key that is not one of the runner's fields (a file variable
  or a config fragment); the error names the keys that hold its value, to
  override instead.

The value of an existing key must have the type of the value it replaces
(:func:`value_problem`: ``train_cfg.max_epochs=abc`` is refused with the
key path, not met later as a bare ``int()`` error inside mmengine's loop).

Classes that take ``**kwargs`` accept any new argument here; they check
their own (``AtomicCheckpointHook`` checks its save arguments when built).
"""
import difflib
import inspect
from typing import Any, List, Optional

__all__ = ['RUNNER_FIELDS', 'check_cfg_options', 'value_problem']

#: Top-level keys the runners and VOST's tools read.
RUNNER_FIELDS = frozenset([
    'model', 'work_dir', 'train_dataloader', 'val_dataloader',
    'test_dataloader', 'train_cfg', 'val_cfg', 'test_cfg', 'auto_scale_lr',
    'optim_wrapper', 'param_scheduler', 'val_evaluator', 'test_evaluator',
    'default_hooks', 'custom_hooks', 'data_preprocessor', 'load_from',
    'resume', 'launcher', 'env_cfg', 'log_processor', 'log_level',
    'visualizer', 'default_scope', 'randomness', 'experiment_name',
    'runner_type', 'model_wrapper_cfg', 'custom_imports', 'compile',
    'strategy', 'vis_backends', 'tta_model', 'tta_pipeline'
])


def _near(name: str, choices) -> str:
    """`` (near: a, b)`` or an empty string."""
    near = difflib.get_close_matches(str(name), [str(c) for c in choices],
                                     n=3, cutoff=0.6)
    return f" (near: {', '.join(near)})" if near else ''


def _child(node: Any, part: str) -> Optional[Any]:
    """``node[part]`` for a dict key or a list index, else a sentinel."""
    if isinstance(node, dict):
        return node[part] if part in node else _MISSING
    if isinstance(node, (list, tuple)) and part.lstrip('-').isdigit():
        index = int(part)
        return node[index] if -len(node) <= index < len(node) else _MISSING
    return _MISSING


_MISSING = object()


def _accepts(type_name: Any, arg: str) -> Optional[bool]:
    """Whether the registered class ``type_name`` takes ``arg`` (None when
    it cannot be told: an unknown type, or ``**kwargs``). A name found in
    several registries takes ``arg`` when one of its classes does."""
    if inspect.isclass(type_name):
        classes = [type_name]
    elif isinstance(type_name, str):
        classes = []
        for registry in _registries():
            try:
                cls = registry.get(type_name)
            except (KeyError, ImportError):  # other scopes not importable
                cls = None
            if cls is not None and cls not in classes:
                classes.append(cls)
    else:
        return None
    answers = []
    for cls in classes:
        try:
            params = list(inspect.signature(cls).parameters.values())
        except (TypeError, ValueError):
            return None
        if any(p.name == arg and p.kind != p.VAR_KEYWORD for p in params):
            answers.append(True)
        elif any(p.kind == p.VAR_KEYWORD for p in params):
            return None
        else:
            answers.append(False)
    return any(answers) if answers else None


#: Arguments of the runner's untyped dicts that configs may leave out.
_UNTYPED_ARGS = {
    'randomness': ('seed', 'deterministic', 'diff_rank_seed'),
    'env_cfg': ('cudnn_benchmark', 'mp_cfg', 'dist_cfg', 'resource_limit'),
}


def _known_untyped(path: List[str], arg: str, cfg: Any) -> bool:
    """Whether a new key of an untyped dict is legitimate: a documented
    argument of the runner's untyped dicts, or a key name the config uses
    elsewhere (e.g. a head's ``test_cfg`` option)."""
    if len(path) == 1 and arg in _UNTYPED_ARGS.get(path[0], ()):
        return True
    found = []

    def walk(node):
        if isinstance(node, dict):
            if arg in node:
                found.append(True)
                return
            for v in node.values():
                walk(v)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v)

    walk({k: cfg[k] for k in cfg.keys()})
    return bool(found)


def _registries() -> List[Any]:
    """VOST's registries (children of mmengine's)."""
    import vost.registry as reg
    return [getattr(reg, name) for name in reg.__all__
            if hasattr(getattr(reg, name), 'get')]


def check_cfg_options(cfg: Any, options: dict, source: str = 'config'):
    """Raise on an option that mmengine would merge without effect.

    Args:
        cfg (Config): The loaded config (before the options are merged).
        options (dict): ``--cfg-options`` as DictAction parsed them
            (dotted keys).
        source (str): The config file, for messages.

    Raises:
        KeyError: Naming the option, what is wrong and what to set.
        ValueError: The value does not fit the type of the one it replaces
            (:func:`value_problem`), naming the key path.
    """
    for key in options:
        parts = str(key).split('.')
        if parts[0] not in RUNNER_FIELDS:
            if parts[0] not in cfg:
                raise KeyError(
                    f'--cfg-options {key}: {source} has no top-level key '
                    f'{parts[0]!r}{_near(parts[0], cfg.keys())}')
            holders = _holders(cfg, cfg[parts[0]], parts[0])
            raise KeyError(
                f'--cfg-options {key}: {parts[0]!r} is a variable (or '
                f'fragment) of {source}, substituted when the file was '
                'loaded: overriding it changes nothing.' +
                (f' Override the keys that hold its value instead: '
                 f'{", ".join(holders[:6])}' if holders else ''))
        if len(parts) == 1 and parts[0] not in cfg:
            continue  # a runner field the config leaves to its default
        node = {k: cfg[k] for k in cfg.keys()}
        for i, part in enumerate(parts):
            child = _child(node, part)
            if child is not _MISSING:
                node = child
                continue
            path = '.'.join(parts[:i])
            last = i == len(parts) - 1
            if isinstance(node, dict) and 'type' in node:
                # a new argument of the class; below a new argument that
                # the class names (a dict-valued one), its keys, which the
                # class checks itself
                ok = _accepts(node['type'], part)
                if ok or (ok is None and last):
                    break
                if last:
                    raise KeyError(
                        f'--cfg-options {key}: {part!r} is not an argument '
                        f"of {node['type']} (at {path})"
                        f'{_near(part, node.keys())}')
            if last and isinstance(node, dict) and _known_untyped(
                    parts[:i], part, cfg):
                break
            siblings = node.keys() if isinstance(node, dict) else []
            raise KeyError(
                f'--cfg-options {key}: {source} has no key '
                f"{'.'.join(parts[:i + 1])!r}{_near(part, siblings)}")
        else:  # the key exists: the value must fit the one it replaces
            problem = value_problem(node, options[key])
            if problem is not None:
                raise ValueError(f'--cfg-options {key}={options[key]!r}: '
                                 f'{problem} (in {source})')


def _type_name(value: Any) -> str:
    if value is None:
        return 'None'
    for types, name in ((bool, 'bool'), (int, 'int'), (float, 'float'),
                        (str, 'str'), ((list, tuple), 'list'),
                        (dict, 'dict')):
        if isinstance(value, types):
            return name
    return type(value).__name__


#: The value types that may replace a value of each type (None replaces
#: anything: it switches a part off; a None in the config takes anything).
_FITS = {
    'bool': ('bool', ),
    'int': ('int', ),
    'float': ('float', 'int'),
    'str': ('str', ),
    'list': ('list', ),
    'dict': ('dict', ),
}


def value_problem(old: Any, new: Any) -> Optional[str]:
    """Why ``new`` cannot replace the config value ``old``, or None.

    ``--cfg-options`` values arrive parsed by mmengine's ``DictAction``
    (``2`` an int, ``2.0`` a float, ``true`` a bool, ``a,b`` or ``[a,b]``
    a list, ``None``, else a str). A value must have the type of the value
    it replaces: an int for an int, an int or float for a float, a bool for
    a bool, a str for a str, a list for a list or tuple; a dict is changed
    key by key. None replaces anything and anything replaces None. Other
    config values (classes, functions) are not checked.

    Args:
        old: The value in the config.
        new: The parsed option value.

    Returns:
        str | None: The problem, None when the value fits.
    """
    old_type, new_type = _type_name(old), _type_name(new)
    if new is None or old is None or old_type not in _FITS:
        return None
    if new_type in _FITS[old_type]:
        return None
    shown = repr(old) if len(repr(old)) <= 60 else repr(old)[:57] + '...'
    if old_type == 'dict':
        return (f'the config holds a dict there ({shown}); set its keys '
                'one by one (KEY.SUBKEY=VALUE), or None to remove it')
    article = 'an' if old_type == 'int' else 'a'
    hint = {
        'bool': ': write True or False',
        'list': ': write [a,b] (or a, for one element)',
        'str': ': a str that looks like a number or a bool cannot be given '
        'here; set it in a config file',
    }.get(old_type, '')
    return (f'the value it replaces is {article} {old_type} ({shown}), '
            f'this is {"an" if new_type == "int" else "a"} {new_type}'
            f'{hint}')


def _holders(cfg: Any, value: Any, name: str) -> List[str]:
    """Dotted keys of runner fields that hold a variable's value: those of
    the same name (``train_cfg.max_epochs`` for ``max_epochs``), else, for
    a string value, those equal to it (``model.vlm_encoder.model_name``
    for ``vlm_name``)."""
    if isinstance(value, (dict, list, tuple)) or value is None:
        return []
    same_name, same_value = [], []

    def walk(node, path, key):
        if isinstance(node, dict):
            items = node.items()
        elif isinstance(node, (list, tuple)):
            items = enumerate(node)
        else:
            if type(node) is type(value) and node == value:
                (same_name if key == name else same_value).append(path)
            return
        for k, v in items:
            walk(v, f'{path}.{k}' if path else str(k), k)

    for field in RUNNER_FIELDS:
        if field in cfg:
            walk(cfg[field], field, field)
    if same_name:
        return sorted(same_name)
    return sorted(same_value) if isinstance(value, str) else []
