"""Settings modules: ``base`` (read from the environment), ``production`` and ``test``."""
