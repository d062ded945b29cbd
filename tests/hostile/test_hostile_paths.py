"""Files outside --out: a study name is never a path, no link is followed, nothing segkit did not
write is replaced or removed, and no lock file is left beside a report."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segkit.exceptions import ConfigError, ReportError
from segkit.reports.runner import STUDIES, param_options, study_notebook
from segkit.reports.staging import MARKER, ReportFolder

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"

NAMES = {
    "parent-path": "../../x/victim",
    "absolute": "/tmp/victim",
    "subfolder": "a/b",
    "dot-dot": "..",
    "hidden": ".hidden",
    "space": "seg mentation",
    "with-suffix": "segmentation.ipynb",
    "backslash": "x\\y",
    "tilde": "~root",
    "empty": "",
    "nul": "seg\x00",
}


@pytest.fixture
def victim(tmp_path) -> Path:
    """A folder of notebooks and a victim notebook beside it, outside the notebooks folder."""
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    (notebooks / "segmentation.ipynb").write_bytes((FIXTURES / "segmentation.ipynb").read_bytes())
    (tmp_path / "victim.ipynb").write_bytes((FIXTURES / "segmentation.ipynb").read_bytes())
    (tmp_path / "victim.html").write_text("keep me", encoding="utf-8")
    return notebooks


@pytest.mark.parametrize("name", list(NAMES.values()), ids=list(NAMES))
def test_a_study_name_is_never_a_path(victim, name):
    with pytest.raises(ConfigError, match="studies: "):
        study_notebook(victim, name)
    with pytest.raises(ConfigError, match="studies: "):
        param_options(["x.y=1"], studies=[name], notebooks=victim)
    assert (victim.parent / "victim.html").read_text(encoding="utf-8") == "keep me"


def test_a_notebook_linked_from_outside_is_not_a_study(victim):
    (victim / "victim.ipynb").symlink_to(victim.parent / "victim.ipynb")
    with pytest.raises(ConfigError, match="unknown study 'victim'"):
        study_notebook(victim, "victim")


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=30))
def test_any_study_name_names_a_notebook_of_the_folder_or_is_refused(victim, name):
    try:
        source = study_notebook(victim, name)
    except ConfigError:
        return
    assert source.resolve().parent == victim.resolve()
    assert source.name == STUDIES.get(name, f"{name}.ipynb")


def _report(root: Path) -> Path:
    target = root / "2025-06-30"
    target.mkdir(parents=True)
    (target / MARKER).write_text("", encoding="utf-8")
    (target / "index.html").write_text("earlier", encoding="utf-8")
    return target


def _elsewhere(tmp_path: Path) -> Path:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "precious.txt").write_text("keep me", encoding="utf-8")
    return other


def test_a_report_folder_that_is_a_link_is_refused_and_its_target_kept(tmp_path):
    other = _elsewhere(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "2025-06-30").symlink_to(other, target_is_directory=True)
    with pytest.raises(ReportError, match="is a symbolic link"):
        with ReportFolder(tmp_path / "out" / "2025-06-30"):
            pass
    assert [p.name for p in other.iterdir()] == ["precious.txt"]


@pytest.mark.parametrize("kind", ["link-to-file", "link-to-missing", "fifo"])
def test_a_lock_that_is_not_a_plain_file_is_refused(tmp_path, kind):
    out = tmp_path / "out"
    out.mkdir()
    lock, aim = out / ".2025-06-30.lock", tmp_path / "aim.txt"
    if kind == "link-to-file":
        aim.write_text("keep me", encoding="utf-8")
        lock.symlink_to(aim)
    elif kind == "link-to-missing":
        lock.symlink_to(aim)
    else:
        os.mkfifo(lock)
    done = threading.Event()

    def enter():
        with pytest.raises(ReportError, match="lock file"):
            with ReportFolder(out / "2025-06-30"):
                pass
        done.set()

    worker = threading.Thread(target=enter, daemon=True)
    worker.start()
    worker.join(60)
    assert done.is_set(), "entering the report folder hung on the lock"
    assert (aim.read_text(encoding="utf-8") == "keep me") if kind == "link-to-file" else True
    assert not aim.exists() or kind == "link-to-file"
    assert not (out / "2025-06-30").exists()


@pytest.mark.parametrize("kind", ["file", "foreign-folder"])
def test_a_target_segkit_did_not_write_is_refused_and_kept(tmp_path, kind):
    target = tmp_path / "2025-06-30"
    if kind == "file":
        target.write_text("keep me", encoding="utf-8")
    else:
        target.mkdir()
        (target / "precious.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ReportError, match="another --out"):
        with ReportFolder(target):
            pass
    kept = target if kind == "file" else target / "precious.txt"
    assert kept.read_text(encoding="utf-8") == "keep me"


def test_an_empty_folder_is_replaced(tmp_path):
    target = tmp_path / "2025-06-30"
    target.mkdir()
    with ReportFolder(target) as folder:
        (folder.staging / "index.html").write_text("new", encoding="utf-8")
        folder.commit()
    assert (target / "index.html").read_text(encoding="utf-8") == "new"


@pytest.mark.parametrize("kind", ["no-marker", "link"])
def test_a_stale_looking_folder_segkit_did_not_write_is_kept(tmp_path, kind):
    other = _elsewhere(tmp_path)
    stale = tmp_path / "out" / ".2025-06-30.abc.partial"
    stale.parent.mkdir()
    if kind == "link":
        stale.symlink_to(other, target_is_directory=True)
    else:
        stale.mkdir()
        (stale / "mine.txt").write_text("keep me", encoding="utf-8")
    with ReportFolder(tmp_path / "out" / "2025-06-30"):
        pass
    assert os.path.lexists(stale)
    assert [p.name for p in other.iterdir()] == ["precious.txt"]


def test_a_target_that_becomes_a_link_during_the_run_is_not_replaced(tmp_path):
    other = _elsewhere(tmp_path)
    target = _report(tmp_path / "out")
    with ReportFolder(target) as folder:
        (target / "index.html").unlink()
        (target / MARKER).unlink()
        target.rmdir()
        target.symlink_to(other, target_is_directory=True)
        with pytest.raises(ReportError, match="is a symbolic link"):
            folder.commit()
    assert [p.name for p in other.iterdir()] == ["precious.txt"]
    assert not list((tmp_path / "out").glob("*.partial"))


def test_no_lock_file_is_left_beside_a_report(tmp_path):
    target = _report(tmp_path / "out")
    with ReportFolder(target) as folder:
        assert (tmp_path / "out" / ".2025-06-30.lock").exists()
        folder.commit()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2025-06-30"]


def test_the_lock_still_excludes_a_second_writer_after_a_first_run_removed_it(tmp_path):
    target = tmp_path / "2025-06-30"
    with ReportFolder(target):
        pass
    with ReportFolder(target):
        with pytest.raises(ReportError, match="another segkit report is writing"):
            with ReportFolder(target):
                pass


@pytest.mark.parametrize("legacy", [True, False], ids=["segkit-index", "other-index"])
def test_a_report_written_before_the_marker_is_replaced_and_another_folder_kept(tmp_path, legacy):
    target = tmp_path / "2025-06-30"
    target.mkdir()
    words = "<p>segkit version 0.9</p>" if legacy else "<p>my own page</p>"
    (target / "index.html").write_text(words, encoding="utf-8")
    (target / "segmentation.parameters.json").write_text("{}", encoding="utf-8")
    if not legacy:
        with pytest.raises(ReportError, match="holds files segkit did not write"):
            with ReportFolder(target):
                pass
        assert (target / "index.html").read_text(encoding="utf-8") == words
        return
    with ReportFolder(target) as folder:
        folder.commit()
    assert sorted(p.name for p in target.iterdir()) == [MARKER]
