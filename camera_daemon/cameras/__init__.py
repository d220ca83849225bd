"""Camera backends behind one small protocol: every backend fills a preallocated frame and says when."""
