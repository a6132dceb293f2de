"""The student side: checks inside a live notebook, and the self-check."""
