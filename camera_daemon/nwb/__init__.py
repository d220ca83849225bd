"""NWB export of a finished session: the videos stay where they are, referenced from one .nwb file."""
