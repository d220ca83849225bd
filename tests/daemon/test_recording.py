"""End-to-end recordings with synthetic cameras through the real worker processes and real ffmpeg."""

from __future__ import annotations

import numpy as np

from recordings import decoded_counters, frame_times_s, record_session, table


def test_two_cameras_frames_equal_timestamps_and_rate_is_exact(tmp_path):
    cameras = [
        {"name": "a", "fps": 30, "width": 320, "height": 240},
        {"name": "b", "fps": 30, "width": 320, "height": 240, "pixel_format": "bgr8"},
    ]
    session, result = record_session(tmp_path, cameras, session={"duration_s": 5})
    assert result["exit_state"] == "stopped"
    for name in ("a", "b"):
        rows = table(session, name)
        counters = decoded_counters(session / f"{name}.mkv")
        n = rows["frame_index"].size
        assert n >= 140, f"{name}: only {n} frames in 5 s at 30 fps"
        assert len(counters) == n
        assert counters == list(range(n))
        assert np.all(np.diff(rows["host_time_us"]) > 0)
        assert np.array_equal(rows["camera_frame_id"], np.arange(n))
        median_interval_s = float(np.median(np.diff(rows["host_time_us"]))) / 1e6
        assert abs(median_interval_s - 1 / 30) / (1 / 30) < 0.01
        entry = result["cameras"][name]
        assert entry["frames_in_video"] == entry["timestamps_logged"] == n
        assert entry["drops_buffer"] == 0
        assert np.array_equal(rows["utc_time_us"], rows["host_time_us"] + entry["onset_utc_us"])
        # the video's own clock is the logged clock at Matroska's 1 ms; two frames logged within
        # the same millisecond (a busy machine) are kept apart by one tick, as a muxer requires
        pts_ms = np.rint(np.array(frame_times_s(session / f"{name}.mkv")) * 1000).astype(np.int64)
        expected_ms = np.rint((rows["host_time_us"] - rows["host_time_us"][0]) / 1000).astype(np.int64)
        expected_ms = np.maximum.accumulate(expected_ms - np.arange(n)) + np.arange(n)
        assert np.array_equal(pts_ms, expected_ms)


def test_irregular_rate_video_duration_matches_timestamp_span(tmp_path):
    cameras = [{"name": "irr", "fps": 40, "width": 160, "height": 120, "irregular": True}]
    session, _ = record_session(tmp_path, cameras, session={"duration_s": 3})
    rows = table(session, "irr")
    intervals = np.diff(rows["host_time_us"])
    assert intervals.std() / intervals.mean() > 0.2, "the source was meant to be irregular"
    times = frame_times_s(session / "irr.mkv")
    span_s = (rows["host_time_us"][-1] - rows["host_time_us"][0]) / 1e6
    assert abs((times[-1] - times[0]) - span_s) / span_s < 0.02
    nominal_span_s = (rows["frame_index"].size - 1) / 40
    assert abs(times[-1] - times[0] - span_s) < abs(nominal_span_s - span_s) or abs(nominal_span_s - span_s) < 0.01


def test_drops_and_repeats_are_visible_in_frame_ids_and_pixels(tmp_path):
    cameras = [
        {
            "name": "d",
            "fps": 60,
            "width": 160,
            "height": 120,
            "drop_frames": [5, 6, 20],
            "repeat_frames": [10, 11],
        }
    ]
    session, result = record_session(tmp_path, cameras, session={"duration_s": 1.5})
    rows = table(session, "d")
    ids = rows["camera_frame_id"].tolist()
    assert 5 not in ids and 6 not in ids and 20 not in ids
    assert result["cameras"]["d"]["drops_frame_id_gap"] == 3
    counters = decoded_counters(session / "d.mkv")
    by_id = dict(zip(ids, counters, strict=True))
    assert by_id[10] == by_id[9] == 9 and by_id[11] == 9 and by_id[12] == 12
