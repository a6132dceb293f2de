"""Grading manual questions by hand in a local web page (``grader review``).

:mod:`~grader.review.queue` orders each question's answers; :mod:`~grader.review.answers`
turns a stored answer into sanitised pieces a template shows; :mod:`~grader.review.rubric`
edits a question's rubric in assignment.toml; :mod:`~grader.review.app` is the Flask app.
"""
