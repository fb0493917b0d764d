import sys

from monitor.cli import main

if __name__ == "__main__":  # (worker processes import this module again: monitor/workers.py)
    sys.exit(main())
