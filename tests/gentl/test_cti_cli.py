"""`camd cti set/show/check` against a private config folder and real producers."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w
import typer
from typer.testing import CliRunner

from camera_daemon.errors import ConfigError
from camera_daemon.gentl.cli import cti_app
from camera_daemon.gentl.producers import configured_producers, store_path

app = typer.Typer()
app.add_typer(cti_app, name="cti")
runner = CliRunner()


def test_set_show_check_round_trip(user_config: Path, viky: Path, tlsimu: Path) -> None:
    result = runner.invoke(app, ["cti", "set", str(viky), str(tlsimu)])
    assert result.exit_code == 0, result.output
    assert store_path().is_relative_to(user_config)
    assert configured_producers().paths == (viky.resolve(), tlsimu.resolve())

    shown = runner.invoke(app, ["cti", "show"])
    assert shown.exit_code == 0
    assert f"from: {store_path()}" in shown.output
    assert str(viky.resolve()) in shown.output and str(tlsimu.resolve()) in shown.output

    checked = runner.invoke(app, ["cti", "check"])
    assert checked.exit_code == 0, checked.output
    assert f"ok     {viky.resolve()}: 3 device(s)" in checked.output
    assert f"ok     {tlsimu.resolve()}: 4 device(s)" in checked.output
    assert "serial 'SN_InterfaceB_1'" in checked.output


def test_append_keeps_the_stored_list(user_config: Path, viky: Path, tlsimu: Path) -> None:
    runner.invoke(app, ["cti", "set", str(viky)])
    result = runner.invoke(app, ["cti", "set", "--append", str(tlsimu)])
    assert result.exit_code == 0, result.output
    assert configured_producers().paths == (viky.resolve(), tlsimu.resolve())


def test_environment_variable_overrides_the_stored_list(
    user_config: Path, viky: Path, tlsimu: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.invoke(app, ["cti", "set", str(viky)])
    monkeypatch.setenv("CAMD_CTI", str(tlsimu))
    shown = runner.invoke(app, ["cti", "show"])
    assert "from: environment variable CAMD_CTI" in shown.output
    assert str(tlsimu) in shown.output and str(viky) not in shown.output


def _store(*paths: Path) -> None:
    store_path().parent.mkdir(parents=True, exist_ok=True)
    store_path().write_text(tomli_w.dumps({"cti": [str(path.resolve()) for path in paths]}))


def test_check_fails_when_no_producer_loads(user_config: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-producer.cti"
    bogus.write_text("text, not a shared library")
    _store(bogus)  # set refuses it now; a stored producer can still break or be replaced later
    result = runner.invoke(app, ["cti", "check"])
    assert result.exit_code != 0
    assert f"FAILED {bogus.resolve()}" in result.output
    assert isinstance(result.exception, ConfigError)
    assert "none of the 1 configured producer(s) loads" in str(result.exception)


def test_check_reports_a_broken_producer_but_passes_with_a_good_one(
    user_config: Path, viky: Path, tmp_path: Path
) -> None:
    bogus = tmp_path / "broken.cti"
    bogus.write_bytes(b"\x7fELF broken")
    _store(bogus, viky)
    result = runner.invoke(app, ["cti", "check"])
    assert result.exit_code == 0, result.output
    assert "FAILED" in result.output and "3 device(s)" in result.output


def test_set_refuses_a_missing_file(user_config: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["cti", "set", str(tmp_path / "missing.cti")])
    assert isinstance(result.exception, ConfigError)
    assert "no such producer file" in str(result.exception)
    assert not store_path().exists()


def test_nothing_configured_says_how_to_configure(user_config: Path) -> None:
    result = runner.invoke(app, ["cti", "check"])
    assert isinstance(result.exception, ConfigError)
    assert "camd cti set" in str(result.exception)
