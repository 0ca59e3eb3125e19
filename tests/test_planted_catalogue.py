"""The planted-bug catalogue stays applicable: every bug's text occurs exactly once in its file
(a refactor that moves the text leaves a bug that can no longer be planted), and every claim it
names is in the catalogue.  Running the bugs is ``python -m rates.planted``, not a test."""

from pathlib import Path

import pytest

from rates import registry
from rates.planted import CATALOGUE, load_bugs

ROOT = CATALOGUE.parent
BUGS = load_bugs()


def test_the_catalogue_is_data_with_unique_ids():
    assert CATALOGUE.is_dir() and not list(CATALOGUE.glob("*.py"))
    ids = [b.id for b in BUGS]
    assert len(ids) == len(set(ids)) and len(ids) >= 50


@pytest.mark.parametrize("bug", BUGS, ids=lambda b: b.id)
def test_each_bug_applies_once_and_names_catalogue_claims(bug):
    text = (ROOT / bug.file).read_text()
    assert text.count(bug.find) == 1, f"{bug.file}: {bug.find!r}"
    assert bug.find != bug.replace and bug.why.strip()
    known = registry.all_claims()
    assert bug.caught_by and all(c in known for c in bug.caught_by), bug.caught_by


def test_unknown_family_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="unknown planted-bug families"):
        load_bugs(["no-such-family"])
    (tmp_path / "x.toml").write_text('[[bug]]\nid = "a"\nfile = "f"\n')
    with pytest.raises(ValueError, match="x.toml: bug 'a'"):
        load_bugs(catalogue=tmp_path)
