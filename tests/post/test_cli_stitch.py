"""`camd stitch` as users call it, and the recorder's entry point after `camd stop`."""

from pathlib import Path

import typer
from typer.testing import CliRunner

from camera_daemon.config import PostConfig
from camera_daemon.post.cli import stitch
from camera_daemon.post.workflow import run_post_stage

from sessions import Recorded

app = typer.Typer()
app.command("stitch")(stitch)


@app.callback()
def _root() -> None:
    """Mount like the main CLI does."""


def test_stitch_command_runs_then_refuses_to_overwrite(three_cameras: tuple[Path, dict[str, Recorded]]) -> None:
    folder, _ = three_cameras
    runner = CliRunner()
    first = runner.invoke(app, ["stitch", str(folder), "--quiet", "--reference", "25fps", "--missing", "hold"])
    assert first.exit_code == 0, first.output
    assert (folder / "post" / "mosaic.mkv").exists() and (folder / "post" / "aligned.csv").exists()
    assert "report" in first.output

    again = runner.invoke(app, ["stitch", str(folder), "--quiet"])
    assert again.exit_code == 3
    assert "--force" in again.output and len(again.output.strip().splitlines()) == 1

    forced = runner.invoke(app, ["stitch", str(folder), "-q", "--force", "--trim", "0.5s:1s", "--dedupe"])
    assert forced.exit_code == 0, forced.output


def test_stitch_rejects_bad_options_in_one_line(
    three_cameras: tuple[Path, dict[str, Recorded]], tmp_path: Path
) -> None:
    folder, _ = three_cameras
    runner = CliRunner()
    for args, words in (
        (["--mode", "collage"], "mosaic, best, concat"),
        (["--reference", "nosuchcam"], "neither a camera"),
        (["--trim", "9:3"], "stop must come after start"),
        (["--mode", "concat"], "--camera"),
    ):
        result = runner.invoke(app, ["stitch", str(folder), "-q", *args])
        assert result.exit_code != 0 and words in result.output, (args, result.output)
    missing = runner.invoke(app, ["stitch", str(tmp_path / "nowhere"), "-q"])
    assert missing.exit_code != 0 and "no such session folder" in missing.output


def test_post_stage_follows_the_session_config(three_cameras: tuple[Path, dict[str, Recorded]]) -> None:
    folder, truth = three_cameras
    result = run_post_stage(folder, PostConfig(enabled=True, reference="b", trim="5:"), force=False)
    assert result.video == folder / "post" / "mosaic.mkv"
    assert result.frames_written == truth["b"].content.size - 5
