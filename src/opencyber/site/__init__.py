"""Turning pages into the website: the page model, assets, HTML post-processing, the two renderers, the downloads, publishing the site and serving it."""
