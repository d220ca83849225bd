"""FFMPEG: finding the binary, building the command, running one encoder per camera, remuxing."""
