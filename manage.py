#!/usr/bin/env python
"""Django's command-line utility for Officine."""

from officine.cli import main

if __name__ == "__main__":
    main()
