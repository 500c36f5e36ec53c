"""Timing helpers shared by the benchmark modes.

Imports nothing beyond the standard library at module level (torch is
imported inside :func:`setup_threads` only), so that the numpy-only ``eval``
mode can use it.
"""
import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

__all__ = [
    'setup_threads', 'mean_time', 'best_time', 'paired_median_times',
    'timed_call', 'peak_rss_mb', 'run_with_rusage'
]


def setup_threads(threads: Optional[int] = None) -> int:
    """Set torch's intra-op thread count and return the count in use.

    Args:
        threads (int, optional): Threads to use; ``None`` or 0 keeps
            torch's choice.

    Returns:
        int: ``torch.get_num_threads()`` after the change.
    """
    import torch
    if threads:
        torch.set_num_threads(threads)
    return torch.get_num_threads()


def mean_time(fn: Callable[[], Any], warmup: int, iters: int) -> float:
    """Mean seconds of ``fn()`` over ``iters`` calls after ``warmup`` calls.

    Args:
        fn (callable): What to time (no arguments).
        warmup (int): Untimed calls first.
        iters (int): Timed calls (>= 1).

    Returns:
        float: Seconds per call.
    """
    for _ in range(warmup):
        fn()
    start = time.perf_counter()
    for _ in range(iters):
        fn()
    return (time.perf_counter() - start) / iters


def best_time(fn: Callable[[], Any], repeats: int,
              sync: Optional[Callable[[], Any]] = None) -> float:
    """Best wall time of ``fn()`` over ``repeats`` runs after one warm-up.

    Args:
        fn (callable): What to time (no arguments).
        repeats (int): Timed runs (>= 1).
        sync (callable, optional): Called before starting and before
            stopping the clock (e.g. ``torch.cuda.synchronize``).

    Returns:
        float: Seconds of the fastest run.
    """
    fn()
    best = float('inf')
    for _ in range(repeats):
        if sync is not None:
            sync()
        start = time.perf_counter()
        fn()
        if sync is not None:
            sync()
        best = min(best, time.perf_counter() - start)
    return best


def paired_median_times(calls: Dict[str, Callable[[], Any]], warmup: int,
                        iters: int) -> Dict[str, float]:
    """Median seconds of several callables timed alternately.

    Each round calls every callable once, in the dict's order; the first
    ``warmup`` rounds are not timed. All of them see the same machine
    state, so their ratio holds on a machine whose speed drifts.

    Args:
        calls (dict[str, callable]): Name to callable (no arguments).
        warmup (int): Untimed rounds.
        iters (int): Timed rounds (>= 1).

    Returns:
        dict[str, float]: Name to median seconds per call.
    """
    times = {name: [] for name in calls}
    for i in range(warmup + iters):
        for name, fn in calls.items():
            start = time.perf_counter()
            fn()
            if i >= warmup:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def timed_call(fn: Callable[[], Any]) -> Tuple[Any, float]:
    """Call ``fn()`` once and time it.

    Args:
        fn (callable): What to run (no arguments).

    Returns:
        tuple: ``(result, seconds)``.
    """
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def peak_rss_mb() -> float:
    """Peak resident set size of this process (``ru_maxrss``), in MB.

    Returns:
        float: Max RSS in MiB (Linux reports kB).
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


#: Runs a command and reports its resource usage. The measured process is a
#: child of this small launcher: a child forked straight from the benchmark
#: would report the benchmark's own (large) RSS as its peak.
_LAUNCHER = ('import json, resource, subprocess, sys\n'
             'rc = subprocess.call(sys.argv[1:])\n'
             'u = resource.getrusage(resource.RUSAGE_CHILDREN)\n'
             'sys.stderr.write(json.dumps([rc, u.ru_utime, u.ru_stime, '
             'u.ru_maxrss]))\n')


def run_with_rusage(cmd: Sequence[str],
                    env: Optional[dict] = None) -> dict:
    """Run ``cmd`` under a small launcher; time it and read its rusage.

    Args:
        cmd (list[str]): The command (its stdout is captured).
        env (dict, optional): Its environment (default: this process's).

    Returns:
        dict: ``wall_s`` (seconds, launcher included), ``cpu_s`` (user +
        system seconds of ``cmd``), ``maxrss_kb`` (its peak RSS),
        ``returncode`` (``cmd``'s, or 1 when the launcher failed),
        ``stdout`` and ``stderr``.
    """
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, '-c', _LAUNCHER] + list(cmd),
                          capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    try:
        rc, utime, stime, maxrss = json.loads(
            proc.stderr.strip().splitlines()[-1])
    except (IndexError, ValueError):
        rc, utime, stime, maxrss = 1, 0.0, 0.0, 0
    return dict(wall_s=wall, cpu_s=utime + stime, maxrss_kb=maxrss,
                returncode=proc.returncode or rc, stdout=proc.stdout,
                stderr=proc.stderr)


def run_parts(command: Sequence[str], parts: Sequence[str],
              extra: Sequence[str] = ()) -> dict:
    """Run ``command --only PART [extra]`` for each part, in its own
    process (so that its peak memory is its own), and merge the JSON line
    each prints last.

    Args:
        command (list[str]): The command line of the mode.
        parts (list[str]): The parts, in order.
        extra (list[str]): More arguments for every part.

    Returns:
        dict: The parts' figures.
    """
    results = {}
    for part in parts:
        proc = subprocess.run(
            list(command) + ['--only', part, *extra], capture_output=True,
            text=True)
        if proc.returncode != 0:
            raise RuntimeError(f'{part} failed:\n{proc.stderr[-3000:]}')
        results.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    return results


def synced(device: str, fn: Callable[[], Any]) -> Callable[[], Any]:
    """``fn`` followed by a CUDA synchronisation (so that a timer sees the
    kernels' time) when ``device`` is CUDA; ``fn`` itself otherwise."""
    if not str(device).startswith('cuda'):
        return fn

    def call():
        import torch
        out = fn()
        torch.cuda.synchronize()
        return out

    return call

