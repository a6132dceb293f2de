"""Code that runs inside the student's kernel or the zygote.

Shipped as source (read with :mod:`importlib.resources` and executed there). The modules here
import nothing of grader: the standard library only, numpy and pandas lazily.
"""
