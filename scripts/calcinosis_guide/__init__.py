"""The code behind the calcinosis cutis book and its printed leaflet.

docs/conf.py loads the Sphinx extensions by their dotted names; the
commands in scripts/ call the ``main()`` of the command-line modules.
docs/maintainers/architecture.md draws how the pieces fit together.
"""
