#!/usr/bin/env python3
"""Build the timeline site: `python build.py --help`."""
import os
import sys

from dateline.cli import main
from dateline.pipeline import Warm

if __name__ == "__main__":
    # a build ends holding millions of objects that the system frees with the process at once:
    # `held` keeps them past the build's return, and the process ends without freeing them one
    # by one, which took about half a second of every rebuild at 10,000 articles
    status = main(held=Warm())
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
