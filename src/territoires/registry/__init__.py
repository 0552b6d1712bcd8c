"""The registry: every actor the 2012 newsletter places in France, stored by official code.

In the order they depend on one another:

- ``files``: the names of the registry's files (tables, change log, history, manifest, downloads);
- ``schema``: what a record is (kinds, levels, columns) and its one schema check;
- ``loader``: the one parsing path, tables of text (files or database) to a checked :class:`Registry`;
- ``manifest``: provenance and sha256 of the shipped files;
- ``changes``: the change log's stamps, and the registry as it was on a date;
- ``storage``: where the registry lives (``FileStore``, the default) and ``load_registry``;
  ``database``: the same in PostgreSQL (``SqlStore``);
- ``resolve``: names to codes (homonyms, renamed and merged communes), tested;
- ``check``: ``territoires data check`` (codes exist, sources, join report);
- ``importer``: staff imports from CSV or XLSX, checked row by row before anything is written;
- ``join``: the registry joined to the boundaries, for the map and exports;
- ``downloads``: the joined registry as CSV, GeoJSON or XLSX (the Données page, ``territoires data export``).
"""
