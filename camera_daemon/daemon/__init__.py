"""Recording processes: one worker per camera, the supervisor that owns them, and their status."""
