"""Train the toy config through tools/train.py, optionally killed (SIGKILL)
at a chosen point of one checkpoint save.

Usage: python kill_during_save.py WORK_DIR ITERS [KILL_AT] [WHERE]
[--resume]. KILL_AT is the checkpoint file name (e.g. ``iter_4.pth``);
WHERE is ``mid_write`` (half the bytes in the temporary file) or
``before_rename`` (all bytes written and synced, not yet renamed).
"""
import os
import os.path as osp
import signal
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _install_kill(kill_at: str, where: str) -> None:
    import vost.utils.atomic_io as atomic_io
    real_replace = atomic_io.os.replace

    class _OS:
        def __getattr__(self, name):
            return getattr(os, name)

        @staticmethod
        def replace(src, dst):
            if osp.basename(dst) == kill_at and where == 'before_rename':
                os.kill(os.getpid(), signal.SIGKILL)
            return real_replace(src, dst)

    atomic_io.os = _OS()
    real_bytes = atomic_io.atomic_write_bytes

    def write_bytes(path, data):
        if osp.basename(path) == kill_at and where == 'mid_write':
            with open(atomic_io.tmp_path_for(path), 'wb') as f:
                f.write(bytes(data[:len(data) // 2]))
            os.kill(os.getpid(), signal.SIGKILL)
        return real_bytes(path, data)

    import vost.utils.checkpoint_files as files
    files.atomic_write_bytes = write_bytes


def main() -> None:
    args = [a for a in sys.argv[1:] if a != '--resume']
    work_dir, iters = args[0], int(args[1])
    if len(args) > 2:
        _install_kill(args[2], args[3])
    sys.argv = [
        'train.py', osp.join(REPO, 'tests', 'data', 'configs',
                             'toy_runtime.py'), '--work-dir', work_dir,
        '--cfg-options', f'train_cfg.max_iters={iters}',
        'default_hooks.checkpoint.type=AtomicCheckpointHook',
        'default_hooks.checkpoint.interval=1',
        'default_hooks.checkpoint.max_keep_ckpts=2',
        'custom_hooks=[]'
    ] + (['--resume'] if '--resume' in sys.argv else [])
    sys.path.insert(0, osp.join(REPO, 'tools'))
    import train
    train.main()


if __name__ == '__main__':
    main()
