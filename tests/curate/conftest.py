import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "post"))

from camera_daemon.cameras.framecode import draw_counter

from recordings import record_session
from scenes import textured, write_session

SCENE_BLOCKS = (0, 1, 2, 0, 1, 2)  # which of 3 scenes each block shows
BLOCK = 20


@pytest.fixture(scope="session")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 2 s recording of the synthetic camera: 640x480 mono8 and a 320x240 colour camera, h264,
    with the post-stop stage's mosaic."""
    cameras = [
        {"name": "left", "backend": "synthetic", "width": 640, "height": 480, "fps": 30},
        {"name": "right", "backend": "synthetic", "width": 320, "height": 240, "fps": 30, "pixel_format": "bgr8"},
    ]
    session, _ = record_session(
        tmp_path_factory.mktemp("curate"), cameras, session={"duration_s": 2.0}, post={"enabled": True}
    )
    return session


@pytest.fixture(scope="session")
def deep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 16-bit recording, lossless (ffv1) so every bit reaches the video."""
    cameras = [{"name": "deep", "backend": "synthetic", "width": 320, "height": 240, "fps": 30,
                "pixel_format": "mono16"}]  # fmt: skip
    session, _ = record_session(
        tmp_path_factory.mktemp("deep"), cameras, session={"duration_s": 1.0}, encoder={"codec": "ffv1"}
    )
    return session


def scene_frames() -> tuple[list[np.ndarray], np.ndarray]:  # type: ignore[type-arg]
    """Three textures, each drifting slowly (0.05 px a frame) with fresh noise, shown in blocks
    A B C A B C; every frame carries its index as a frame code in its top-left corner. Within a scene
    frames stay within 8 pHash bits of each other, between scenes at least 22 apart (measured before
    encoding). Returns the frames and each frame's scene."""
    scenes = [textured(len(SCENE_BLOCKS) * BLOCK, 320, 240, 0.05, seed) for seed in (11, 22, 33)]
    frames, truth = [], []
    for block, scene in enumerate(SCENE_BLOCKS):
        for step in range(BLOCK):
            index = block * BLOCK + step
            frame = scenes[scene][index].copy()
            draw_counter(frame[:32, :128], index)  # a small code: a full-width band would dominate the hash
            frames.append(frame)
            truth.append(scene)
    return frames, np.array(truth)


@pytest.fixture(scope="session")
def scenes_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:  # type: ignore[type-arg]
    frames, truth = scene_frames()
    folder = tmp_path_factory.mktemp("scenes") / "scenes"
    write_session(folder, {"cam": frames})
    return folder, truth


@pytest.fixture
def scenes(scenes_source: tuple[Path, np.ndarray], tmp_path: Path) -> tuple[Path, np.ndarray]:  # type: ignore[type-arg]
    """A fresh copy per test, so each test owns its post/ folder."""
    source, truth = scenes_source
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    return folder, truth
