"""Inputs that used to end in a traceback: each is now one line naming the field and the fix, exit 2,
and no session folder is created."""

from __future__ import annotations

import pytest

from recordings import camd, manifest

DEEP_ARRAY = "a = " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_TABLE = "a = " + "{b=" * 3000 + "1" + "}" * 3000 + "\n"

BAD_FILES: dict[str, tuple[bytes, str]] = {
    "invalid utf-8": (b'[[cameras]]\nname = "\xff\xfe"\n', "not UTF-8 text"),
    "deep arrays": (DEEP_ARRAY.encode(), "nested too deeply"),
    "deep tables": (DEEP_TABLE.encode(), "nested too deeply"),
    "jitter overflow": (b'[[cameras]]\nname = "a"\njitter_us = 99999999999999999999999999\n', "cameras.0.jitter_us"),
    "huge drop frame": (b'[[cameras]]\nname = "a"\ndrop_frames = [18446744073709551616]\n', "cameras.0.drop_frames.0"),
    "huge node": (b'[[cameras]]\nname = "a"\nnodes = { Gain = 99999999999999999999 }\n', "64-bit"),
    "nested node": (b'[[cameras]]\nname = "a"\nnodes = { Gain = [[[1]]] }\n', "cameras.0.nodes"),
    "infinite duration": (b'[session]\nduration_s = inf\n[[cameras]]\nname = "a"\n', "session.duration_s"),
    "frame too small for code": (b'[[cameras]]\nname = "a"\nwidth = 24\nheight = 12\n', "too small for its frame code"),
}


def _one_line_exit_2(result, expected: str) -> str:  # type: ignore[no-untyped-def]
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert expected in lines[0], lines[0]
    assert "Traceback" not in result.stderr
    return str(lines[0])


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_config_file_is_one_line(tmp_path, case):
    text, expected = BAD_FILES[case]
    path = tmp_path / "bad.toml"
    path.write_bytes(text)
    result = camd("run", str(path), "--output", str(tmp_path / "out"), "--duration", "0.2", "--quiet")
    _one_line_exit_2(result, expected)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("drop_frames=x", "option 'drop_frames' takes frame numbers separated by commas, e.g. drop_frames=3,9"),
        ("repeat_frames=1.5", "option 'repeat_frames' takes frame numbers"),
        ("drop_frames=-2", "option 'drop_frames' takes frame numbers"),
        ("jitter_us=99999999999999999999999", "cameras.0.jitter_us"),
        ("width=31&height=16", "use width >= 32 and height >= 16"),
    ],
)
def test_bad_spec_value_is_one_line(tmp_path, option, expected):
    result = camd("run", "--camera", f"a=synthetic:?{option}", "--output", str(tmp_path / "out"), "--duration", "0.2")
    _one_line_exit_2(result, expected)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("frames", ["3,9", "[3,9]"])
def test_frame_lists_take_commas_or_brackets(tmp_path, frames):
    spec = f"a=synthetic:?width=64&height=48&fps=0&drop_frames={frames}"
    args = ["run", "--camera", spec, "--duration", "0.3", "--output", str(tmp_path), "--session", "s", "--quiet"]
    result = camd(*args)
    assert result.returncode == 0, result.stderr
    camera = manifest(tmp_path / "s")["cameras"]["a"]
    assert camera["drops_frame_id_gap"] == 2, camera


def test_session_toml_keeps_control_characters_and_quotes(tmp_path):
    """A source path with a tab and a quote used to be written as TOML that does not read back."""
    import tomllib

    from camera_daemon.config import parse_config
    from camera_daemon.config_toml import config_to_toml

    source = 'C:\\clips\t"a".mp4'
    config = parse_config({"cameras": [{"name": "a", "backend": "opencv", "source": source}]})
    assert tomllib.loads(config_to_toml(config))["cameras"][0]["source"] == source
