"""Mixed precision on the CPU: mmengine's ``AmpOptimWrapper`` is for GPUs
(float16 with loss scaling) and refuses to build without one.

``tools/train.py --amp`` takes ``AmpOptimWrapper`` where CUDA is present
and :class:`CPUAutocastOptimWrapper` elsewhere: the forward pass runs under
``torch.autocast('cpu', dtype=torch.bfloat16)``. bfloat16 has float32's
exponent range, so no loss scaling is needed (or done); parameters,
gradients and the optimiser state stay float32, as under
``AmpOptimWrapper``.
"""
from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper

from vost.registry import OPTIM_WRAPPERS

__all__ = ['CPUAutocastOptimWrapper']


@OPTIM_WRAPPERS.register_module()
class CPUAutocastOptimWrapper(OptimWrapper):
    """An ``OptimWrapper`` whose forward context is CPU bfloat16 autocast.

    Args:
        dtype (str): The autocast dtype; only ``'bfloat16'`` (float16
            would need loss scaling, which mmengine's GPU wrapper does).
        **kwargs: ``OptimWrapper`` arguments (``optimizer``,
            ``clip_grad``, ``accumulative_counts``).
    """

    def __init__(self, dtype: str = 'bfloat16', **kwargs) -> None:
        if dtype != 'bfloat16':
            raise ValueError('CPUAutocastOptimWrapper: dtype must be '
                             f"'bfloat16', got {dtype!r}")
        super().__init__(**kwargs)
        self.cast_dtype = torch.bfloat16

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        """Gradient accumulation (mmengine's) plus bfloat16 autocast.

        Args:
            model (nn.Module): The trained model.
        """
        with super().optim_context(model), torch.autocast(
                device_type='cpu', dtype=self.cast_dtype):
            yield
