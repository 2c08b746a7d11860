"""The dependency cache for incremental builds: restored, checked, trimmed and saved (cache.py)."""

from __future__ import annotations

import io
import json
import tarfile

import pytest

from s2i_wsgi.incremental import cache


@pytest.fixture
def dirs(tmp_path):
    cache_dir, artifacts = tmp_path / "cache", tmp_path / "artifacts"
    cache_dir.mkdir()
    return cache_dir, artifacts


def marked(directory, **identity) -> None:
    (directory / cache.MARKER).write_text(json.dumps({**cache.identity(), **identity}))


def test_without_artifacts_or_cache_nothing_is_reused(dirs, capsys):
    assert cache.restore(*dirs) is False
    assert "No dependency cache from a previous build" in capsys.readouterr().out


def test_artifacts_from_s2i_are_moved_into_the_cache(dirs):
    cache_dir, artifacts = dirs
    (artifacts / "pip" / "wheels").mkdir(parents=True)
    (artifacts / "pip" / "wheels" / "a.whl").write_text("wheel")
    marked(artifacts)
    (cache_dir / "old").write_text("from the builder")
    assert cache.restore(cache_dir, artifacts) is True
    assert (cache_dir / "pip" / "wheels" / "a.whl").read_text() == "wheel"
    assert not (cache_dir / "old").exists()
    assert not artifacts.exists()  # emptied and removed, so the image does not keep it


def test_a_cache_copied_into_place_is_reused(dirs, capsys):
    cache_dir, artifacts = dirs
    (cache_dir / "pip").mkdir()
    marked(cache_dir)
    assert cache.restore(cache_dir, artifacts) is True
    assert "Reusing the dependency cache from the previous build" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("marker", "why"),
    [
        (None, "it has no s2i-wsgi-cache.json"),
        ("not json", "its s2i-wsgi-cache.json cannot be read"),
        ("[1]", "its s2i-wsgi-cache.json is not a JSON object"),
        (json.dumps({**cache.identity(), "python": "2.7"}), "it was made for python '2.7'"),
        (json.dumps({**cache.identity(), "format": 0}), "it was made for format 0"),
    ],
)
def test_an_unusable_cache_is_dropped_with_a_warning(dirs, capsys, marker, why):
    cache_dir, artifacts = dirs
    (cache_dir / "pip").mkdir()
    if marker is not None:
        (cache_dir / cache.MARKER).write_text(marker)
    assert cache.restore(cache_dir, artifacts) is False
    assert list(cache_dir.iterdir()) == []
    err = capsys.readouterr().err
    assert f"WARNING: The dependency cache from the previous build is not used: {why}" in err


def test_installers_cache_in_the_cache_directory(tmp_path):
    assert cache.installer_environment(tmp_path) == {
        "PIP_CACHE_DIR": str(tmp_path / "pip"),
        "UV_CACHE_DIR": str(tmp_path / "uv"),
    }


def cache_with_everything(cache_dir):
    for path in ("pip/wheels/a.whl", "pip/http-v2/b", "pip/selfcheck/c"):
        (cache_dir / path).parent.mkdir(parents=True, exist_ok=True)
        (cache_dir / path).write_text("x")


def test_keep_all_keeps_built_and_downloaded_packages_and_marks_the_cache(tmp_path, capsys):
    cache_with_everything(tmp_path)
    cache.keep("all", tmp_path / "no-uv", tmp_path)
    assert (tmp_path / "pip" / "wheels" / "a.whl").exists()
    assert (tmp_path / "pip" / "http-v2" / "b").exists()
    assert not (tmp_path / "pip" / "selfcheck").exists()
    assert json.loads((tmp_path / cache.MARKER).read_text()) == cache.identity()
    assert "Kept the dependency cache for incremental builds" in capsys.readouterr().out


def test_keep_built_drops_what_was_downloaded(tmp_path):
    cache_with_everything(tmp_path)
    cache.keep("built", tmp_path / "no-uv", tmp_path)
    assert (tmp_path / "pip" / "wheels" / "a.whl").exists()
    assert not (tmp_path / "pip" / "http-v2").exists()


def test_keep_none_empties_the_cache(tmp_path):
    cache_with_everything(tmp_path)
    cache.keep("none", tmp_path / "no-uv", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_uv_prunes_its_cache(tmp_path, monkeypatch):
    (tmp_path / "uv").mkdir()
    uv = tmp_path / "uv-binary"
    uv.write_text("")
    ran = []
    monkeypatch.setattr(cache.output, "run", lambda argv, **kw: ran.append((argv, kw["env"]["UV_CACHE_DIR"])) or 0)
    cache.keep("built", uv, tmp_path)
    assert ran == [([str(uv), "cache", "prune", "--quiet", "--ci"], str(tmp_path / "uv"))]


def names(data: bytes) -> list[str]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return sorted(tar.getnames())


def test_save_streams_a_marked_cache_as_a_tar(tmp_path):
    cache_with_everything(tmp_path)
    marked(tmp_path)
    out = io.BytesIO()
    cache.save(out, tmp_path)
    assert "pip/wheels/a.whl" in names(out.getvalue())
    assert cache.MARKER in names(out.getvalue())


def test_save_streams_an_empty_tar_without_a_marked_cache(tmp_path):
    cache_with_everything(tmp_path)
    out = io.BytesIO()
    cache.save(out, tmp_path / "missing")
    cache.save(out2 := io.BytesIO(), tmp_path)
    assert names(out.getvalue()) == names(out2.getvalue()) == []
