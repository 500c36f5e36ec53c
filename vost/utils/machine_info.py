"""Which machine made a number: recorded in every results JSON.

Runs are bitwise reproducible per machine and torch build, not across
CPUs: torch picks its CPU kernels at run time by the instruction set
(``torch.backends.cpu.get_cpu_capability()``: ``AVX512``, ``AVX2``,
``DEFAULT``, ...), and kernels of different widths sum in different orders.
The main job, ``tools/test.py`` and the benchmark tool record
:func:`machine_info` beside their numbers (``machine`` key), so that a
number can be compared with one made on the same kind of machine.

Reading it imports torch (when installed) but runs nothing on it; the
versions of mmcv, mmengine and mmdet are read from the installed
distributions (no import).
"""
import json
import os
import platform
from collections import OrderedDict
from importlib import metadata
from typing import Optional

from .atomic_io import atomic_write

__all__ = [
    'cpu_model', 'machine_info', 'attach_machine_info', 'add_machine_info'
]

_PACKAGES = ('torch', 'mmcv', 'mmengine', 'mmdet', 'numpy')


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux, else
    :func:`platform.processor`), or ``'unknown'``."""
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as f:
            for line in f:
                if line.lower().startswith(('model name', 'hardware')):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or 'unknown'


def _version(package: str) -> Optional[str]:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine_info(device: Optional[str] = None) -> 'OrderedDict[str, object]':
    """The machine and software stack of this process.

    Args:
        device (str, optional): The device the numbers were made on
            (``'cpu'``, ``'cuda:0'``); None: ``'cuda'`` when torch sees a
            GPU (what mmengine's runner then uses), else ``'cpu'``.

    Returns:
        OrderedDict: ``cpu_model``, ``cpu_capability`` (torch's CPU kernel
        level, None without torch), ``cpu_count``, ``torch_threads``
        (intra-op threads), ``device`` and, on a GPU, ``gpu``; the versions
        ``torch``, ``mmcv``, ``mmengine``, ``mmdet``, ``numpy`` (None when
        not installed); ``python`` and ``platform``.
    """
    info = OrderedDict(cpu_model=cpu_model(), cpu_capability=None,
                       cpu_count=os.cpu_count(), torch_threads=None,
                       device=device or 'cpu')
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        info['cpu_capability'] = torch.backends.cpu.get_cpu_capability()
        info['torch_threads'] = torch.get_num_threads()
        if device is None and torch.cuda.is_available():
            info['device'] = 'cuda'
        if str(info['device']).startswith('cuda'):
            info['gpu'] = torch.cuda.get_device_name(
                torch.device(info['device']))
    for package in _PACKAGES:
        info[package] = _version(package)
    info['python'] = platform.python_version()
    info['platform'] = platform.platform()
    return info


def attach_machine_info(content, info: dict):
    """Put ``info`` into a results object in place, as ``machine``.

    Args:
        content (dict | list[dict]): A results object, or a list of row
            objects (each gets the key).
        info (dict): From :func:`machine_info`.

    Returns:
        dict | list[dict]: ``content``.

    Raises:
        TypeError: ``content`` is neither.
    """
    if isinstance(content, dict):
        content['machine'] = info
    elif isinstance(content, list) and all(
            isinstance(row, dict) for row in content):
        for row in content:
            row['machine'] = info
    else:
        raise TypeError('results must be an object or a list of objects to '
                        f'record the machine in, not a '
                        f'{type(content).__name__}')
    return content


def add_machine_info(json_path: str, device: Optional[str] = None,
                     indent: Optional[int] = 1) -> dict:
    """Add ``machine`` (:func:`machine_info`) to a results JSON file.

    The file is rewritten atomically. A JSON object gets the key; a list of
    row objects (the benchmark's ``eval`` mode) gets it in every row.

    Args:
        json_path (str): An existing JSON file.
        device (str, optional): See :func:`machine_info`.
        indent (int, optional): JSON indent of the rewritten file; None
            writes one line (mmengine's test metrics file). Defaults to 1.

    Returns:
        dict: The machine info written.

    Raises:
        ValueError: When the file holds neither an object nor a list of
            objects (the message names the file).
    """
    with open(json_path, encoding='utf-8') as f:
        content = json.load(f)
    info = machine_info(device)
    try:
        attach_machine_info(content, info)
    except TypeError as exc:
        raise ValueError(f'{json_path}: {exc}') from None
    with atomic_write(json_path, 'w') as f:
        json.dump(content, f, indent=indent)
        f.write('\n')
    return info
