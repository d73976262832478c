"""Demo data for ``manage.py seed_demo``: generation (``generate``) apart from writing (``load``).

An app of its own on the top floor: it writes through every other app, and none imports it."""
