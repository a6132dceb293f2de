"""Running the checks: the pytest plugin, its worker processes, the bridge to the kernel."""
