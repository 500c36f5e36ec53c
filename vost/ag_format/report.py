"""The filter report of :func:`load_action_genome`: what each rule removed."""
from collections import OrderedDict

__all__ = ['empty_report', 'format_load_report']


def empty_report(split: str, task: str) -> dict:
    """A report with every counter at zero.

    Args:
        split (str): The split.
        task (str): The task.

    Returns:
        dict: ``split``, ``task``, ``keys``, ``removed`` (frames, objects,
        videos: one counter per rule), ``kept`` and ``errors``.
    """
    return OrderedDict(
        split=split,
        task=task,
        keys=0,
        removed=OrderedDict(
            frames=OrderedDict(
                other_split=0,
                no_visible_object=0,
                no_person=0,
                missing_on_disk=0,
                invalid=0,
                in_short_videos=0),
            objects=OrderedDict(
                invisible=0, small_box=0, invalid=0, in_removed_frames=0),
            videos=OrderedDict(too_few_frames=0, no_kept_frame=0)),
        kept=OrderedDict(videos=0, frames=0, objects=0),
        errors=OrderedDict())


def format_load_report(report: dict) -> str:
    """Format the report of :func:`load_action_genome` for a log line.

    Args:
        report (dict): The report.

    Returns:
        str: One line per non-empty section.
    """
    rem = report['removed']
    lines = [
        f"Action Genome {report['split']}/{report['task']}: "
        f"{report['keys']} annotated keys -> kept "
        f"{report['kept']['videos']} videos, {report['kept']['frames']} "
        f"frames, {report['kept']['objects']} objects"
    ]
    for what in ('frames', 'objects', 'videos'):
        parts = ', '.join(f'{k}={v}' for k, v in rem[what].items())
        lines.append(f'  removed {what}: {parts}')
    if report['errors']:
        parts = ', '.join(f'{k}={v}' for k, v in report['errors'].items())
        lines.append(f'  skipped after errors: {parts}')
    return '\n'.join(lines)
