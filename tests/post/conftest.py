import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from sessions import CameraPlan, Recorded, record_session

THREE_CAMERAS = [
    CameraPlan("a", fps=30.0, slots=45),
    CameraPlan("b", fps=30.0, slots=45, start_us=410_000, drops=(5, 6, 20), pixel_format="bgr8"),
    CameraPlan("c", fps=25.0, slots=40, start_us=203_000, repeats=(4, 10, 11), width=160, height=120),
]


@pytest.fixture(scope="session")
def three_camera_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Recorded]]:
    """30, 30 and 25 fps cameras started at different moments, b with drops, c with repeats."""
    folder = tmp_path_factory.mktemp("recorded") / "three"
    return folder, record_session(folder, THREE_CAMERAS)


@pytest.fixture
def three_cameras(
    three_camera_source: tuple[Path, dict[str, Recorded]], tmp_path: Path
) -> tuple[Path, dict[str, Recorded]]:
    """A fresh copy per test, so each test owns its post/ folder."""
    source, truth = three_camera_source
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    return folder, truth
