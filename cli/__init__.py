"""The ``consortium`` command line, the top layer: it may import every other package.

``main`` builds the typer app from one module per command group: ``run`` (run, scenarios),
``sweep`` (sweep, analyze), ``calibrate`` and ``validate``; ``common`` holds what they share.
"""
