"""One file per schema revision, oldest first (``rNNNN_what.py``); never edit a released one."""
