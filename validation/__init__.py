"""Validation of consortium-sim: the pattern suite and the pattern-oriented calibration.

Above the sweep engine (``experiments``), below the figures and the command line. The
stylized facts of the domain brief (SF1-SF36) and the science-anchor patterns (P1-P5) are
declared in ``patterns``; ``probes`` and ``statistics`` read them from runs (through
``ConsortiumModel.observe()`` and the run record, never the model's arrays), ``runs`` makes
one run, ``inference`` holds the statistical tests, ``suite`` runs the catalogue over its
arms, ``report`` and ``figures`` write the report, and ``calibration`` and
``calibration_report`` filter a calibration sweep by the level bands (Grimm et al. 2005;
Railsback & Grimm 2019 ch. 20).
"""
