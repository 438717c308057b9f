"""The model's behaviour: rule families and the sets that own the state they act on.

Each mechanism family is one compiled file, every rule in it written once for one element
and applied in passes: ``trust``, ``ties``, ``leadership``, ``commitment``,
``institutions``, ``employers``, ``money``, ``programs``, ``intermediation``. The sets own
the state and the verbs that call those rules: ``organizations`` (the Mesa agents and
``Organizations``), ``partnerships``, ``ladder``, ``funding``, ``consortium`` and
``intermediaries``. ``codes`` names the integer codes, ``numerics.pxd`` holds the
element-wise helpers the families share, ``params`` is the compiled mirror of the scenario
schema, and ``mechanisms`` maps each mechanism of the evidence to the rules that implement
it. Nothing here imports ``sim``.
"""
