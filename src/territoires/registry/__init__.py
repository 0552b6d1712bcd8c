"""The registry: every actor the 2012 newsletter places in France, stored by official code.

- ``schema``: what a record is (kinds, levels, columns) and its one schema check;
- ``loader``: the one loader of ``data/registry/*.csv``;
- ``resolve``: names to codes (homonyms, renamed and merged communes), tested;
- ``check``: ``territoires data check`` (codes exist, sources, join report);
- ``join``: the registry joined to the boundaries, for the map and exports.
"""
