# cython: language_level=3
"""Named integer codes shared by the compiled rules and Python: ``Sector``, ``Rung``, ``Phase``.

The definitions are in ``agents/codes.pxd``; Cython exposes each as a Python ``IntEnum``.
"""

MONTHS_PER_YEAR = 12  # calendar: the model steps one month at a time
