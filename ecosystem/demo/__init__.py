"""Demo data for ``manage.py seed_demo``: generation (``generate``) apart from writing (``load``)."""
