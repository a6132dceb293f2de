"""Feedback: HTML and summary reports, readable assertions and tracebacks."""
