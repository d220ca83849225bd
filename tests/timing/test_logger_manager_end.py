"""The DataLogger leaves its queue's manager process running after its own stop, until the
interpreter exits; the recorder's exit then waits on it. Stopping the forwarder ends it meanwhile."""

from __future__ import annotations

from pathlib import Path

from processes import wait_until

from camera_daemon.timing.forwarder import LogForwarder


def test_forwarder_stop_ends_the_loggers_manager_process(tmp_path: Path) -> None:
    forwarder = LogForwarder(tmp_path)
    forwarder.start()
    forwarder.start_logger()
    processes = forwarder.logger.processes()
    manager, writer = processes["manager"], processes["writer"]
    assert manager is not None and manager.is_alive() and writer.is_alive()
    forwarder.stop()
    assert not writer.is_alive()
    wait_until(lambda: not manager.is_alive(), timeout_s=10, what="the manager ended after the logger's stop")
    assert forwarder.logger.alive, forwarder.logger.error  # ending it is not a logger death
