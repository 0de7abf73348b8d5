"""The readers: text in, nodes and image sites (with 1-based positions) out. They read no files.

- ``yaml_document``: ``load``, a YAML text as ``Document`` of our own nodes; the one module that
  knows ruamel.yaml.
- ``yaml_sites``: the image sites, top-level problems and duplicate keys of a ``Document``.
- ``python_sites``: the image sites of a Python source, its ``valohai.prepare(image=...)`` calls.
- ``notebook_sites``: the same in a Jupyter notebook's code cells, placed in the notebook file.
- ``comments``: suppression comments (``# valohai-image-lint: ignore[...]``) in YAML and Python.
"""
