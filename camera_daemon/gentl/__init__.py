"""GenTL producers and GenICam devices: which producers to load, which devices they offer, their nodes."""
