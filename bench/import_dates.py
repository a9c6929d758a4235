#!/usr/bin/env python3
"""How often `import` finds a saved news page's original publication date.

    python bench/import_dates.py [TABLE.yaml [PAGES_DIR]]

TABLE is a YAML list of {page: FILE, published: DATE} (tests/cases/import_pages.yaml by default,
its pages in tests/fixtures/import/pages/); `published: ""` means the page gives no date, and the
right answer is then none, never a guess. A page counts as right when the day import writes is
the day in the table. Prints the share right and each miss; asserts nothing. Needs the import
extra (requirements-import.txt).
"""
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dateline.importer import from_document  # noqa: E402


def main(argv: list[str]) -> int:
    table = Path(argv[0]) if argv else ROOT / "tests" / "cases" / "import_pages.yaml"
    pages = Path(argv[1]) if len(argv) > 1 else ROOT / "tests" / "fixtures" / "import" / "pages"
    rows = yaml.safe_load(table.read_text(encoding="utf-8"))
    right, exact, misses = 0, 0, []
    for row in rows:
        expected = str(row.get("published") or "")
        [draft] = list(from_document(row["page"], (pages / row["page"]).read_bytes(), ""))
        found = getattr(draft, "published", None)
        if found is not None and found[:10] == expected[:10]:
            right += 1
            exact += found == expected
        else:
            misses.append(f"  {row['page']}: expected {expected or 'no date'}, import gave "
                          f"{found or 'no date' if found is not None else draft.message}")
    print(f"{right}/{len(rows)} pages dated with the right original day ({100 * right / len(rows):.1f}%), "
          f"{exact} with the exact time and offset of the table")
    print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
