"""Course authoring: solution markers, releasing student copies, validating checks."""
