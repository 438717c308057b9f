"""The workshop dashboard for facilitators.

One session per browser tab (``session.py``) and the Solara page (``workshop.py``).
"""
