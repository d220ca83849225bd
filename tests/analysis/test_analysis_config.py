"""A callback that cannot run is exit 2 in one line before anything is recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from recordings import camd

CASES = {
    "no colon": ('analysis = "camera_daemon.analysis.builtin"', "cameras.0.analysis"),
    "no such module": ('analysis = "no_such_package_xyz.mod:f"', "importing no_such_package_xyz.mod failed"),
    "no such function": ('analysis = "camera_daemon.analysis.builtin:nothing"', "has no function 'nothing'"),
    "no such file": ('analysis = "/nonexistent/cb.py:f"', "/nonexistent/cb.py does not exist"),
    "broken file": ('analysis = "{broken}:f"', "importing {broken} failed (SyntaxError"),
    "every zero": ('analysis = "camera_daemon.analysis.builtin:noop"\nanalysis_every = 0', "analysis_every"),
    "unknown stamp": ('stamp = ["utc", "weather"]', "cameras.0.stamp.1"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_analysis_is_one_line_exit_2(tmp_path: Path, case: str) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n")
    line, expected = (part.replace("{broken}", str(broken)) for part in CASES[case])
    config = tmp_path / "c.toml"
    config.write_text(f'[[cameras]]\nname = "a"\n{line}\n')
    out = tmp_path / "out"
    result = camd("run", str(config), "--output", str(out), "--duration", "0.5", "--quiet")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_camera_option_takes_analysis_and_stamp_words() -> None:
    spec = "a=synthetic:?analysis=camera_daemon.analysis.builtin:motion&analysis_every=3&stamp=utc,frame"
    assert camd("run", "--check", "--camera", spec).returncode == 0
    refused = camd("run", "--check", "--camera", "a=synthetic:?stamp=utc,weather")
    assert refused.returncode == 2 and "cameras.0.stamp.1" in refused.stderr


def test_callback_hanging_at_import_is_exit_2_within_the_deadline(tmp_path: Path) -> None:
    hanging = tmp_path / "hangs.py"
    hanging.write_text("import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(1e9)\n")
    config = tmp_path / "c.toml"
    config.write_text(f'[[cameras]]\nname = "a"\nanalysis = "{hanging}:f"\n')
    out = tmp_path / "out"
    result = camd("run", str(config), "--output", str(out), "--duration", "0.5", "--quiet", timeout=60)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and f"analysis callback {hanging}:f did not import within 20 s" in lines[0], lines
    assert not out.exists() or not any(out.iterdir())
