"""Post-stop stage: put every camera on one clock, then stitch, dedupe and trim the recordings.

Each module holds one step as plain functions over numpy arrays and file paths, so the same calls run
in this process or as tasks on a cluster.
"""
