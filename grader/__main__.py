"""Allow ``python -m grader``."""

from grader.cli import main

if __name__ == "__main__":  # not when multiprocessing imports it again in a spawned worker
    main()
