"""The README's programme-code table says what the packs declare: every code, with its regions."""

from __future__ import annotations

import re

from eligibility.packs.catalogue import Catalogue
from tests.support import REPO


def test_the_readme_programme_table_lists_every_declared_code_with_its_regions() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| [^|]+\| ([a-z, ]+) \|$", readme, flags=re.MULTILINE))
    declared = {item.code: ", ".join(item.regions) for item in Catalogue.from_directory().programmes.in_region()}
    assert rows == declared
