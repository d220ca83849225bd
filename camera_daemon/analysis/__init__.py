"""Per-frame analysis beside a recording, in its own process, and stamping of recorded frames.

A camera's callback never runs in its worker: it reads frames from the shared-memory tap, and when it
falls behind, frames are skipped for analysis, never for recording.
"""
