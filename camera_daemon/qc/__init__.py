"""Quality control of a finished session: one verdict per check and camera, against published thresholds."""
