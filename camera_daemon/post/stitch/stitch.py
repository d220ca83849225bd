"""Drive the `mosaic` and `best` stitches: walk the aligned rows, fetch frames, hand results to the sink.

Every camera's video is decoded once, front to back, in step with the aligned rows; a row costs one
composed or chosen frame, so memory does not grow with the recording's length.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from camera_daemon.post.align import MISSING, AlignedFrames
from camera_daemon.post.dedupe import Gop
from camera_daemon.post.errors import PostError
from camera_daemon.post.io.decode import Frame, FrameReader, to_gray8
from camera_daemon.post.io.sink import FrameSink
from camera_daemon.post.session_io import CameraTrack
from camera_daemon.post.stitch.best import BestDecision, CopyScore, choose_best, score_copies
from camera_daemon.post.stitch.mosaic import Missing, MosaicComposer, MosaicLayout, TileState, as_canvas_pixels

Progress = Callable[[int], None]


def _readers(stack: ExitStack, tracks: list[CameraTrack], studio: bool = False) -> list[FrameReader]:
    return [
        stack.enter_context(FrameReader(track.video, track.pixel_format, studio=studio, crop=track.crop))
        for track in tracks
    ]


def plan_mosaic(tracks: list[CameraTrack], time_overlay: bool) -> MosaicLayout:
    colour = any(track.colour for track in tracks)
    return MosaicLayout.plan([(t.name, t.width, t.height) for t in tracks], colour, time_overlay)


def time_label(utc_us: int, origin_us: int) -> str:
    stamp = datetime.fromtimestamp(utc_us / 1e6, tz=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return f"{stamp} UTC  +{(utc_us - origin_us) / 1e6:.3f} s"


def run_mosaic(
    tracks: list[CameraTrack],
    aligned: AlignedFrames,
    layout: MosaicLayout,
    sink: FrameSink,
    missing: Missing,
    progress: Progress,
) -> None:
    """One grid frame per aligned row; a missing tile is black or, with hold, the camera's newest frame
    captured at or before the tick (matched to a tick or not), and its label strip says which, so a
    held frame is never mistaken for a live one."""
    composer = MosaicComposer(layout, studio=sink.studio)
    origin = int(aligned.tick_utc_us[0]) if aligned.tick_count else 0
    with ExitStack() as stack:
        readers = _readers(stack, tracks, studio=sink.studio)
        held: list[tuple[int, Frame] | None] = [None] * len(tracks)
        held_key = [MISSING] * len(tracks)
        for row in range(aligned.tick_count):
            tick = int(aligned.tick_utc_us[row])
            frames: list[Frame | None] = []
            states: list[TileState] = []
            ids: list[int] = []
            keys: list[int] = []  # per column, the keyframe its tile was decoded from
            at_key = False
            for column, (reader, track) in enumerate(zip(readers, tracks, strict=True)):
                index = int(aligned.source_index[row, column])
                state = TileState.live
                if index < 0 and missing is Missing.hold:
                    index = _newest_at_or_before(track, tick, reader.position, held[column])
                    state = TileState.held
                if index >= 0:
                    if held[column] is None or held[column][0] != index:  # type: ignore[index]
                        held[column] = (index, reader.at(index))
                        held_key[column] = reader.keyframe
                    frames.append(held[column][1])  # type: ignore[index]
                    states.append(state)
                    ids.append(int(track.camera_frame_id[index]))
                    keys.append(held_key[column])
                    at_key = at_key or held_key[column] == index
                else:
                    frames.append(None)
                    states.append(TileState.missing)
                    ids.append(MISSING)
                    keys.append(MISSING)
            text = time_label(tick, origin) if layout.time_overlay else ""
            sink.push(composer.compose(frames, states, text), tick, row, tuple(ids), Gop(tuple(keys), at_key))
            progress(1)


def _newest_at_or_before(track: CameraTrack, tick: int, decoded: int, held: tuple[int, Frame] | None) -> int:
    """The newest frame taken at or before ``tick``; a frame already passed by the decoder is only
    available if it is the one still held."""
    index = int(np.searchsorted(track.utc_time_us, tick, side="right")) - 1
    if index < 0 or index >= decoded:
        return index
    return index if held is not None and held[0] == index else MISSING


@dataclass
class BestLog:
    decisions: list[BestDecision] = field(default_factory=list)
    scores: list[list[CopyScore | None]] = field(default_factory=list)


def check_copies(tracks: list[CameraTrack]) -> None:
    sizes = {(track.width, track.height) for track in tracks}
    if len(sizes) > 1:
        raise PostError(f"best needs copies of one size; got {', '.join(f'{w}x{h}' for w, h in sorted(sizes))}")
    if len(tracks) < 2:
        raise PostError("best needs at least two redundant recordings; this session has one camera")


def run_best(
    tracks: list[CameraTrack],
    aligned: AlignedFrames,
    sink: FrameSink,
    progress: Progress,
    colour: bool,
    on_choice: Callable[[int, Frame, Frame | None], None] | None = None,
) -> BestLog:
    """Per aligned row, score every copy that has a frame and pass the winner on; rows where no copy
    has a frame are skipped (recorded as such), never filled."""
    names = [track.name for track in tracks]
    log = BestLog()
    with ExitStack() as stack:
        readers = _readers(stack, tracks)
        previous: list[npt.NDArray[np.uint8] | None] = [None] * len(tracks)
        for row in range(aligned.tick_count):
            frames: list[Frame | None] = []
            keys: list[int] = []
            for column, reader in enumerate(readers):
                index = int(aligned.source_index[row, column])
                frames.append(reader.at(index) if index >= 0 else None)
                keys.append(reader.keyframe)
            grays = [None if frame is None else to_gray8(frame) for frame in frames]
            scores = score_copies(grays, previous)
            decision = choose_best(scores, names)
            for column in decision.clean:  # a damaged frame must not become the measure of the next one
                previous[column] = grays[column]
            log.decisions.append(decision)
            log.scores.append(scores)
            if decision.winner >= 0:
                winner = frames[decision.winner]
                assert winner is not None
                if on_choice is not None:
                    on_choice(row, winner, _runner_up(frames, scores, decision.winner))
                frame_id = int(tracks[decision.winner].camera_frame_id[aligned.source_index[row, decision.winner]])
                identity = (decision.winner, frame_id)
                key = keys[decision.winner]
                gop = Gop((decision.winner, key), key == aligned.source_index[row, decision.winner])
                sink.push(as_canvas_pixels(winner, colour), int(aligned.tick_utc_us[row]), row, identity, gop)
            progress(1)
    return log


def _runner_up(frames: list[Frame | None], scores: list[CopyScore | None], winner: int) -> Frame | None:
    others = [i for i, score in enumerate(scores) if score is not None and i != winner]
    return frames[others[0]] if others else None


def best_table(tracks: list[CameraTrack], aligned: AlignedFrames, log: BestLog, written: set[int]) -> dict[str, object]:
    """The decision table: per aligned row, the winner, the reason and every copy's scores."""
    names = [track.name for track in tracks]
    columns: dict[str, object] = {
        "aligned_row": np.arange(aligned.tick_count),
        "utc_time_us": aligned.tick_utc_us,
        "winner": [names[d.winner] if d.winner >= 0 else None for d in log.decisions],
        "written": [row in written for row in range(aligned.tick_count)],
        "reason": [d.reason for d in log.decisions],
    }
    for column, name in enumerate(names):
        columns[f"{name}_frame"] = [int(i) if i >= 0 else None for i in aligned.source_index[:, column]]
        for measure in ("deviation", "flat", "blockiness", "energy_jump", "padding", "dark"):
            columns[f"{name}_{measure}"] = [_score(s[column], measure) for s in log.scores]
    return columns


def _score(score: CopyScore | None, attribute: str) -> float | None:
    value = None if score is None else float(getattr(score, attribute))
    return None if value is None or np.isnan(value) else round(value, 6)


def written_rows(rows: list[int]) -> npt.NDArray[np.int64]:
    return np.asarray(rows, dtype=np.int64)
