"""Bad input: one line naming the field and the fix, a non-zero exit, and no recorded data touched."""

from __future__ import annotations

import pytest

from recordings import camd

BAD_CONFIGS = {
    "negative fps": ('[[cameras]]\nname = "a"\nfps = -5\n', "cameras.0.fps"),
    "unknown key": ('[[cameras]]\nname = "a"\nfsp = 30\n', "cameras.0.fsp"),
    "bad codec": ('[encoder]\ncodec = "divx"\n[[cameras]]\nname = "a"\n', "encoder.codec"),
    "no cameras": ('[session]\nname = "x"\n', "cameras"),
    "duplicate names": ('[[cameras]]\nname = "a"\n[[cameras]]\nname = "a"\n', "used twice"),
    "bad toml": ("[[cameras]\nname = 1\n", "not valid TOML"),
    "opencv without source": ('[[cameras]]\nname = "a"\nbackend = "opencv"\n', "needs a source"),
    "synthetic format": ('[[cameras]]\nname = "a"\npixel_format = "BayerRG8"\n', "pixel_format"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_exits_2_with_one_line_naming_the_field(tmp_path, case):
    text, expected = BAD_CONFIGS[case]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    result = camd("run", str(path), "--output", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("nocolon", "NAME=SPEC"),
        ("a=webcam:0", "unknown backend 'webcam'"),
        ("a=synthetic:?widht=3", "unknown option 'widht'"),
        ("a=synthetic:?fps=fast", "cameras.0.fps"),
        ("a=opencv", "needs a source"),
    ],
)
def test_bad_camera_spec_exits_2(tmp_path, spec, expected):
    result = camd("run", "--camera", spec, "--output", str(tmp_path), "--duration", "1")
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_config_file(tmp_path):
    result = camd("run", str(tmp_path / "nope.toml"))
    assert result.returncode == 2
    assert "no such config file" in result.stderr


def test_existing_session_is_never_overwritten_without_force(tmp_path):
    args = ["run", "--camera", "a=synthetic:?width=64&height=48", "--duration", "0.5"]
    args += ["--output", str(tmp_path), "--session", "keep", "--quiet"]
    first = camd(*args)
    assert first.returncode == 0, first.stderr
    video = tmp_path / "keep" / "a.mkv"
    before = video.read_bytes()
    second = camd(*args)
    assert second.returncode == 3
    assert "--force" in second.stderr
    assert video.read_bytes() == before
    third = camd(*args, "--force")
    assert third.returncode == 0, third.stderr
    assert video.exists() and video.read_bytes() != before


def test_unopenable_opencv_source_fails_with_reason_and_nonzero_exit(tmp_path):
    result = camd("run", "--camera", f"cam=opencv:{tmp_path / 'missing.mp4'}", "--output", str(tmp_path), "--quiet")
    assert result.returncode == 1
    assert "cannot open" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
