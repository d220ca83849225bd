"""Many cameras into one video: the mosaic layout, the best copy of each frame, and joining segments."""
