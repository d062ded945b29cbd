from __future__ import annotations

from segkit.studies.paths import project_root, resolve


def test_resolve_from_a_subfolder(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "data" / "sample").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "notebooks")
    assert project_root() == tmp_path
    assert resolve("data/sample") == tmp_path / "data" / "sample"
    assert resolve(tmp_path / "x") == tmp_path / "x"


def test_without_a_project_the_working_directory_is_used(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert project_root() == tmp_path
    assert resolve("nope") == tmp_path / "nope"
