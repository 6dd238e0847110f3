"""Rewrite tests/golden/*.json from the current code: ``python tests/golden/regenerate.py``.

Run it only when figures move for a reason stated in CHANGELOG.md (old and new figure), and
read the diff before committing it.
"""

from __future__ import annotations

import json
import sys

from golden_runs import GOLDEN, all_runs, differences, run_json


def main(names: list[str]) -> int:
    chosen = {k: v for k, v in all_runs().items() if not names or k in names}
    for stem, args in chosen.items():
        path = GOLDEN / f"{stem}.json"
        new = run_json(args)
        if path.exists():
            moved = differences(json.loads(path.read_text(encoding="utf-8")), new)
            print(f"{stem}: {len(moved)} figure(s) moved")
            for line in moved[:50]:
                print(f"  {line}")
        path.write_text(
            json.dumps(new, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
