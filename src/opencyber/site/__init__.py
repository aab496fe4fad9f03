"""Turning executed notebooks and narrative pages into the website: the page model and navigation
(``pages``), the site's own scripts, styles and widget bundle (``assets``, ``css``), the maps'
shared geometry (``geometry``), what is done to each rendered page (``html``), the two renderers
(``nbconvert``, ``quarto``) and the choice between them with the site digest (``assemble``), the
downloads (``downloads``), the atomic switch to a new site (``publish``) and the offline preview
(``serve``). Knows pages and files, not the rules: it never computes a figure."""
