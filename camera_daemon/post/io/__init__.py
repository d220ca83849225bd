"""Files in and out of the post stage: decoding, encoding, the frame sink, tables, and other recorders' folders."""
