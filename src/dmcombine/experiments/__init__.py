"""One module per experiment: read its public inputs, compute its result, write its limit file."""
