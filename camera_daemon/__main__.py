"""``python -m camera_daemon`` runs the same CLI as ``camd``."""

from camera_daemon.entry import main

if __name__ == "__main__":
    main()
