"""The session folder: its layout, overwrite protection, the manifest and the finishing step."""
