"""mmengine's CheckpointHook with a save order that a kill cannot break."""
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook

from vost.registry import HOOKS
from vost.utils.atomic_io import atomic_write

__all__ = ['AtomicCheckpointHook']


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` whose saves leave a whole state at every moment.

    mmengine's hook removes the oldest kept checkpoint *before* writing the
    new one, writes the checkpoint in place and then ``last_checkpoint``
    in place: a kill during a save can leave a half-written ``iter_N.pth``
    (or, with ``max_keep_ckpts=1``, no checkpoint at all). This hook

    1. writes the checkpoint atomically (``SGRunner.save_checkpoint`` uses
       :class:`~vost.utils.checkpoint_files.AtomicLocalBackend`),
    2. then points ``last_checkpoint`` at it (atomically),
    3. and only then removes checkpoints beyond ``max_keep_ckpts`` (the
       kept list stored in the new checkpoint already counts it, so a run
       resumed from it removes what an uninterrupted run would).

    Every argument is ``CheckpointHook``'s. Its ``**kwargs`` go to
    ``runner.save_checkpoint``; a name that method does not take (a typo
    such as ``intervl``) is refused here, when the runner builds the hook,
    not at the first save.
    """

    def __init__(self, *args, **kwargs) -> None:
        import difflib
        import inspect

        from mmengine.runner import Runner
        named = set(inspect.signature(CheckpointHook).parameters)
        takes = set(inspect.signature(Runner.save_checkpoint).parameters)
        for key in kwargs:
            if key not in named and key not in takes:
                near = difflib.get_close_matches(key, sorted(named | takes),
                                                 n=3, cutoff=0.6)
                raise TypeError(
                    f'{type(self).__name__}: unknown option {key!r}' +
                    (f" (near: {', '.join(near)})" if near else '') +
                    '; its options are CheckpointHook\'s and those of '
                    'Runner.save_checkpoint')
        super().__init__(*args, **kwargs)

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        stale = self._keep(runner, step)  # recorded in this checkpoint
        ckpt_filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir,
                                                     ckpt_filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir,
            ckpt_filename,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)
        if not is_main_process():
            return
        with atomic_write(osp.join(runner.work_dir, 'last_checkpoint'),
                          'w') as f:
            f.write(self.last_ckpt)
        for old in stale:  # only now that the new one is whole
            path = self.file_backend.join_path(self.out_dir,
                                               self.filename_tmpl.format(old))
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
            elif self.file_backend.isdir(path):  # deepspeed folders
                self.file_backend.rmtree(path)

    def _keep(self, runner, step: int) -> list:
        """Add ``step`` to the kept checkpoints (``max_keep_ckpts``); return
        the steps that fall out, to remove after the save."""
        if self.max_keep_ckpts <= 0:
            return []
        if self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step:
            return []  # saved twice in one step (latest and best)
        stale = []
        # keep_ckpt_ids is a deque of maxlen max_keep_ckpts (mmengine)
        if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
            stale.append(self.keep_ckpt_ids.popleft())
        self.keep_ckpt_ids.append(step)
        runner.message_hub.update_info('keep_ckpt_ids',
                                       list(self.keep_ckpt_ids))
        return stale
