"""Integrations: output formats, grade exports, CI workflows, clusters."""
