"""Crop: per camera before stitching, and on the output; a wrong rectangle is one line and exit 2."""

import subprocess
import sys
from pathlib import Path

import numpy as np

from camera_daemon.post.crop import Crop
from camera_daemon.post.options import PostOptions
from camera_daemon.post.workflow import run_post

from scenes import decode_gray, drifting, write_session


def test_camera_and_output_crops_keep_the_chosen_pixels(tmp_path: Path) -> None:
    frames = drifting(6, 160, 120, 1.0, 1.0, 5)
    write_session(tmp_path / "s", {"cam": frames}, codec="ffv1")
    options = PostOptions(progress=False, codec="ffv1", time_overlay=False, crop={"cam": Crop(16, 8, 96, 64)})
    run_post(tmp_path / "s", options)
    mosaic = decode_gray(tmp_path / "s" / "post" / "mosaic.mkv")
    assert mosaic[0].shape == (64, 96)
    assert np.array_equal(mosaic[2][:40], frames[2][8:48, 16:112]), "the tile is the cropped camera, unscaled"

    cropped = PostOptions(
        progress=False, codec="ffv1", crop={"cam": Crop(16, 8, 96, 64)}, output_crop=Crop(0, 0, 32, 20)
    )
    run_post(tmp_path / "s", cropped, force=True)
    assert decode_gray(tmp_path / "s" / "post" / "mosaic.mkv")[0].shape == (20, 32)


def test_bad_crops_are_one_line_and_exit_2(tmp_path: Path) -> None:
    write_session(tmp_path / "s", {"cam": drifting(3, 160, 120, 1.0, 1.0, 6)}, codec="ffv1")
    camd = [str(Path(sys.executable).parent / "camd"), "stitch", str(tmp_path / "s"), "-q"]
    cases = {
        "--crop=cam=0,0,200,100": "camd: error: crop for camera 'cam' 0,0,200,100 reaches past the 160x120 frame; "
        "keep X+W <= 160 and Y+H <= 120",
        "--crop=cam=a,b": "camd: error: --crop for camera 'cam' 'a,b' is not X,Y,W,H in whole pixels, e.g. 0,0,320,240",
        "--output-crop=0,0,0,10": "camd: error: --output-crop '0,0,0,10': X and Y must be >= 0 and W and H > 0, "
        "e.g. 0,0,320,240",
    }
    for option, line in cases.items():
        done = subprocess.run([*camd, option], capture_output=True, text=True, check=False)
        assert (done.returncode, done.stderr.strip().splitlines()) == (2, [line]), option
