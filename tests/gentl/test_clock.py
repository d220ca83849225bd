"""The device clock unwrapper on sequences with known truth."""

from __future__ import annotations

from camera_daemon.gentl.clock import DeviceClock

SECOND = 1_000_000_000


def _run(true_ns: list[int], modulus: int | None, host_offset_ns: int = 123) -> tuple[list[int], DeviceClock]:
    clock = DeviceClock()
    raw = [value % modulus if modulus else value for value in true_ns]
    return [clock.unwrap(r, t + host_offset_ns) for r, t in zip(raw, true_ns, strict=True)], clock


def test_a_clock_that_wraps_every_second_is_unwrapped() -> None:
    true_ns = [400_000_000 + k * 5_300_000 for k in range(600)]  # 3.2 s at ~189 fps
    unwrapped, clock = _run(true_ns, SECOND)
    assert unwrapped == true_ns
    assert clock.wraps == 3


def test_gaps_longer_than_a_second_are_counted_from_the_host_clock() -> None:
    true_ns = [100_000_000, 900_000_000, 3_300_000_000, 3_400_000_000, 7_050_000_000]
    unwrapped, _ = _run(true_ns, SECOND)
    assert unwrapped == true_ns


def test_host_jitter_below_half_a_second_does_not_add_seconds() -> None:
    clock = DeviceClock()
    true_ns = [200_000_000, 950_000_000, 1_700_000_000]
    host_ns = [0, 750_000_000 + 300_000_000, 1_500_000_000 - 200_000_000]  # late, then early
    unwrapped = [clock.unwrap(t % SECOND, h) for t, h in zip(true_ns, host_ns, strict=True)]
    assert unwrapped == true_ns


def test_a_clock_that_never_wraps_passes_through() -> None:
    true_ns = [5 * SECOND + k * 33_000_000 for k in range(100)]
    unwrapped, clock = _run(true_ns, None)
    assert unwrapped == true_ns
    assert clock.wraps == 0


def test_a_long_clock_going_backwards_becomes_unknown() -> None:
    clock = DeviceClock()
    assert clock.unwrap(5 * SECOND, 0) == 5 * SECOND
    assert clock.unwrap(2 * SECOND, 10_000_000) == -1
    assert clock.unwrap(6 * SECOND, 20_000_000) == -1
    assert clock.unreliable


def test_missing_timestamps_stay_missing() -> None:
    assert DeviceClock().unwrap(-1, 0) == -1
