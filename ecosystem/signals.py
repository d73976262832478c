"""Signals the shared base sends, for the apps above it to act on (the base never imports them)."""

from django.dispatch import Signal

#: A file of data left the product (``csv_response``): ``request``, ``name`` (what was exported),
#: ``filename``. The audit app records it.
export_served = Signal()
