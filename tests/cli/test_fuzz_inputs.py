"""Property-based fuzzing of what a user types: session files and --camera specs, through the real
CLI entry. Whatever the input: no traceback, at most one line on stderr, an exit code in
{0, 1, 2, 3}, and nothing written outside the output folder."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from camera_daemon import cli
from camera_daemon.config import BufferConfig, CameraConfig, EncoderConfig, PostConfig, SessionSection

from recordings import camd

EXIT_CODES = {0, 1, 2, 3}
WORDS = ["h264", "hevc", "ffv1", "mjpeg", "av1", "nvenc", "cpu", "mkv", "mp4", "mono8", "mono16", "bgr8"]
WORDS += ["BayerRG8", "synthetic", "opencv", "genicam", "texture", "slow", "flat", "ultrafast", "a", "", "3,9"]

scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=-2, max_value=700),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(WORDS),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=2),
    max_leaves=5,
)


def _section(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from([*fields, "bogus"]), values, max_size=4)


camera_tables = st.builds(
    lambda name, rest: {"name": name, **rest},
    st.one_of(st.sampled_from(["a", "b", "cam-1"]), st.text(max_size=6)),
    st.dictionaries(st.sampled_from([*CameraConfig.model_fields, "fsp"]), values, max_size=4),
)
documents = st.fixed_dictionaries(
    {"cameras": st.lists(camera_tables, max_size=3)},
    optional={
        "session": _section(list(SessionSection.model_fields)),
        "encoder": _section(list(EncoderConfig.model_fields)),
        "buffer": _section(list(BufferConfig.model_fields)),
        "post": _section(list(PostConfig.model_fields)),
    },
)
plausible = st.fixed_dictionaries(
    {
        "cameras": st.lists(
            st.fixed_dictionaries(
                {"name": st.sampled_from(["a", "b"])},
                optional={
                    "width": st.integers(8, 96),
                    "height": st.integers(8, 96),
                    "pixel_format": st.sampled_from(["mono8", "mono16", "bgr8"]),
                    "fps": st.sampled_from([0, 30.0, 1e4]),
                    "drop_frames": st.lists(st.integers(0, 2**33), max_size=2),
                    "jitter_us": st.integers(0, 2**64),
                },
            ),
            min_size=1,
            max_size=2,
        )
    },
    optional={
        "encoder": st.fixed_dictionaries(
            {},
            optional={
                "codec": st.sampled_from(["h264", "hevc", "ffv1", "mjpeg"]),
                "container": st.sampled_from(["mkv", "mp4"]),
            },
        )
    },
)
option_keys = st.sampled_from([*CameraConfig.model_fields, "widht"])
option_values = st.one_of(st.sampled_from(WORDS), st.integers(-5, 2**65).map(str), st.text(max_size=8))
specs = st.builds(
    lambda name, backend, source, options: f"{name}={backend}{source}{options}",
    st.one_of(st.sampled_from(["a", "b"]), st.text(max_size=5)),
    st.one_of(st.sampled_from(["synthetic", "opencv", "genicam"]), st.text(max_size=6)),
    st.one_of(st.just(""), st.text(max_size=10).map(lambda s: ":" + s), st.just(":rtsp://u:p@h/s")),
    st.lists(st.tuples(option_keys, option_values), max_size=3).map(
        lambda pairs: "?" + "&".join(f"{k}={v}" for k, v in pairs) if pairs else ""
    ),
)


@contextlib.contextmanager
def _fresh_folder() -> Iterator[Path]:
    """Each example runs with its own empty cwd, so a stray relative write shows up there."""
    previous = Path.cwd()
    with tempfile.TemporaryDirectory() as name:
        os.chdir(name)
        try:
            yield Path(name)
        finally:
            os.chdir(previous)


def _run_in_process(args: list[str]) -> tuple[int, str]:
    stderr, stdout = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["camd", *args]
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(stdout):
            try:
                cli.main()
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else 1
            else:
                code = 0
    finally:
        sys.argv = argv
    return code, stderr.getvalue()


def _check(code: int, stderr: str, folder: Path, allowed: set[Path]) -> None:
    event(f"exit {code}")
    assert code in EXIT_CODES, (code, stderr)
    assert "Traceback" not in stderr, stderr
    assert len(stderr.strip().splitlines()) <= 1, stderr
    written = {path for path in folder.rglob("*") if path.is_file()}
    outside = {path for path in written if path not in allowed and "out" not in path.relative_to(folder).parts[:1]}
    assert not outside, outside


FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(documents | plausible)
def test_fuzzed_config_documents(document):
    try:
        text = tomli_w.dumps(document)
    except (TypeError, ValueError):  # not representable as TOML at all (e.g. empty keys are fine, None is not)
        return
    with _fresh_folder() as folder:
        config = folder / "c.toml"
        config.write_text(text)
        code, stderr = _run_in_process(["run", str(config), "--output", str(folder / "out"), "--check"])
        _check(code, stderr, folder, {config})


@FAST
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_fuzzed_config_bytes(raw):
    with _fresh_folder() as folder:
        config = folder / "c.toml"
        config.write_bytes(raw)
        code, stderr = _run_in_process(["run", str(config), "--output", str(folder / "out"), "--check"])
        _check(code, stderr, folder, {config})


@FAST
@given(st.lists(specs, min_size=1, max_size=2))
def test_fuzzed_camera_specs(spec_list):
    with _fresh_folder() as folder:
        args = ["run", "--output", str(folder / "out"), "--check"]
        for spec in spec_list:
            args += ["--camera", spec]
        code, stderr = _run_in_process(args)
        _check(code, stderr, folder, set())


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["width=64&height=48&drop_frames=[1,2]", "width=33&height=17", "width=64&height=48&fps=abc"]),
    st.sampled_from(["mono8", "bgr8", "mono16"]),
)
def test_real_subprocess_records_only_inside_its_output(options, pixel_format):
    """The real `camd`, recording for a moment: whatever the outcome, files appear only under --output."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        spec = f"a=synthetic:?pixel_format={pixel_format}&{options}"
        env_cwd = os.getcwd()
        os.chdir(folder)
        try:
            result = camd("run", "--camera", spec, "--output", "out", "--duration", "0.2", "--quiet")
        finally:
            os.chdir(env_cwd)
        _check(result.returncode, result.stderr, folder, set())
