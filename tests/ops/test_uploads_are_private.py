"""Files uploaded for imports (MEDIA_ROOT/imports/<uuid>.csv) are read by the jobs only: no URL serves them,
not even in DEBUG (the development server used to serve MEDIA_ROOT to anyone with the link)."""

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver
from django.views.static import serve

from jobs.uploads import read_upload, store_upload


@pytest.fixture
def debug_urls(settings):
    """The URL configuration as ``DEBUG=True`` builds it (it is read once, at import)."""
    import ecosystem.urls

    settings.DEBUG = True
    importlib.reload(ecosystem.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(ecosystem.urls)
    clear_url_caches()


def _callbacks(resolver):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _callbacks(pattern)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def test_no_url_serves_files_from_disk_in_debug(debug_urls):
    assert serve not in set(_callbacks(get_resolver())), "a URL pattern serves files with django.views.static.serve"


@pytest.mark.django_db
@pytest.mark.parametrize("who", [None, "channel", "partner_rep"])
def test_an_uploaded_import_is_404_even_in_debug(debug_urls, client, users, who):
    relative = store_upload(SimpleUploadedFile("accounts.csv", b"siren,name\n123456789,Secret Client\n"))
    assert relative.startswith("imports/") and read_upload(relative).startswith(b"siren")  # the job reads it
    if who:
        client.force_login(users[who])
    response = client.get(f"/media/{relative}")
    assert response.status_code == 404
    assert b"Secret Client" not in response.content
