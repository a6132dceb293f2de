"""Academic integrity: how similar students' code is (:mod:`.similarity`), and its page."""
