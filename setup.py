"""Install VOST as an OpenMMLab extension package.

The configs and tools ship inside the package under ``vost/.mim`` (the MIM
layout) so that ``_base_ = 'vost::...'`` resolves after installation:
symbolic links for editable installs, copies for wheels.
"""
import os
import os.path as osp
import shutil
import sys
import warnings

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def get_version():
    """Read ``__version__`` from ``vost/version.py``."""
    scope = {}
    with open(osp.join(HERE, 'vost', 'version.py'), encoding='utf-8') as f:
        exec(compile(f.read(), 'vost/version.py', 'exec'), scope)
    return scope['__version__']


def parse_requirements(fname):
    """Read requirement specifiers from a file, following ``-r`` includes."""
    reqs = []
    with open(osp.join(HERE, fname), encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            if line.startswith('-r '):
                reqs += parse_requirements(
                    osp.join(osp.dirname(fname), line[3:].strip()))
            else:
                reqs.append(line)
    return reqs


def add_mim_extension():
    """Put configs and tools in ``vost/.mim`` (links or copies)."""
    editable = any(cmd in sys.argv
                   for cmd in ('develop', 'editable_wheel', 'dist_info'))
    if editable:
        mode = 'symlink'
    elif any(cmd in sys.argv for cmd in ('sdist', 'bdist_wheel', 'build',
                                         'install')):
        mode = 'copy'
    else:
        return
    mim_path = osp.join(HERE, 'vost', '.mim')
    os.makedirs(mim_path, exist_ok=True)
    for name in ('configs', 'tools', 'model-index.yml'):
        src = osp.join(HERE, name)
        dst = osp.join(mim_path, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            try:
                os.symlink(osp.relpath(src, mim_path), dst)
                continue
            except OSError:
                warnings.warn(f'Cannot link {dst}; copying instead.')
        if osp.isdir(src):
            shutil.copytree(src, dst)
        else:
            shutil.copyfile(src, dst)


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='vost',
        version=get_version(),
        description='VOST-SGG: VLM-aided one-stage spatio-temporal scene '
        'graph generation, an OpenMMLab extension',
        long_description=open(osp.join(HERE, 'README.md'),
                              encoding='utf-8').read(),
        long_description_content_type='text/markdown',
        license='Apache License 2.0',
        python_requires='>=3.10',
        packages=find_packages(exclude=('configs', 'tools', 'tests', 'docs')),
        include_package_data=True,
        package_data={'vost': ['.mim/**/*', 'graphs/schemas/*.json',
                               'visualization/html_viewer/static/*']},
        install_requires=parse_requirements('requirements/runtime.txt'),
        extras_require={
            'tests': parse_requirements('requirements/tests.txt'),
            'optional': parse_requirements('requirements/optional.txt'),
        },
        zip_safe=False)
