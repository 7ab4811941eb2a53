"""pytest configuration shared by the suite."""

# The recording script needs torch, which is not a test dependency; it is run by hand.
collect_ignore_glob = ["reference/*.py"]
