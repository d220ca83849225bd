"""Time: each camera's onset and host clock, the per-frame timestamp log, and the tables built from it."""
