"""The live preview page and its JSON API, served by camd itself (server.py), fed by the taps."""
