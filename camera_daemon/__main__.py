"""``python -m camera_daemon`` runs the same CLI as ``camd``."""

from camera_daemon.cli import main

if __name__ == "__main__":
    main()
