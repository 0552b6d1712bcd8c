"""Boundaries of communes, EPCIs, départements and régions (today's and 2012's).

Sources → build → store, kept apart:

- ``source``: :class:`~territoires.geo.source.SourceLayers`, the one shape every upstream data set
  is turned into; ``datafrance`` (the embedded default) and ``ign`` (IGN ADMIN EXPRESS) are its adapters;
- ``reference``: facts no upstream file carries (the régions of 2012, enclaves, projections);
- ``build``: from ``SourceLayers`` to a clean coverage, every level dissolved, display sets simplified;
- ``communes_2012``: the communes of 1 January 2012, cut out of today's coverage (``data/geo/sources``);
- ``layout``: what the store in ``data/geo`` holds (levels, paths, schemas) and its one schema check;
- ``reader``: the one reader of the store's files (levels, attributes, codes, :class:`Boundaries`);
- ``store``: writing the store atomically, its manifest, and checking it (``territoires geo check``);
- ``fetch``: downloads a new IGN edition and rebuilds the store.
"""
