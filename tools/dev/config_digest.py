"""Write (or check) the digests of every shipped config's resolved values.

The reference file ``tests/data/resolved_config_digests.json`` holds, for
each runnable config under ``configs/``, a digest per key path of the
resolved config (``vost.testing.config_digest``). A change that moves
settings between config files must leave it unchanged; a change that
means to change a resolved value rewrites it with ``--write`` and says so
in its commit.

Usage:
    python tools/dev/config_digest.py            # list differing key paths
    python tools/dev/config_digest.py --write    # rewrite the reference
"""
import argparse
import json
import os
import os.path as osp
import sys
import tempfile

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
REFERENCE = osp.join(REPO, 'tests', 'data', 'resolved_config_digests.json')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        '--write', action='store_true', help='rewrite the reference file')
    parser.add_argument(
        '--config-root', default=osp.join(REPO, 'configs'),
        help='the configs folder (default: the repository\'s)')
    args = parser.parse_args(argv)
    from vost.testing.config_digest import config_digest, shipped_configs
    digests = {
        rel: config_digest(osp.join(args.config_root, rel))
        for rel in shipped_configs(args.config_root)
    }
    if args.write:
        fd, tmp = tempfile.mkstemp(dir=osp.dirname(REFERENCE))
        with os.fdopen(fd, 'w') as f:
            json.dump(digests, f, indent=1, sort_keys=True)
            f.write('\n')
        os.chmod(tmp, 0o644)
        os.replace(tmp, REFERENCE)  # atomic: no half-written reference
        print(f'wrote {len(digests)} configs to {REFERENCE}')
        return 0
    with open(REFERENCE) as f:
        reference = json.load(f)
    changed = 0
    for rel in sorted(set(reference) | set(digests)):
        old, new = reference.get(rel, {}), digests.get(rel, {})
        diff = sorted(k for k in set(old) | set(new)
                      if old.get(k) != new.get(k))
        for key in diff:
            what = ('removed' if key not in new else
                    'added' if key not in old else 'changed')
            print(f'{rel}: {key} {what}')
        changed += bool(diff)
    print(f'{changed} of {len(digests)} configs differ from the reference')
    return 1 if changed else 0


if __name__ == '__main__':
    sys.exit(main())
