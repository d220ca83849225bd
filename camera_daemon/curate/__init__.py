"""From a recorded session to a dataset: extract, cluster, annotate and package, all by logged time."""
