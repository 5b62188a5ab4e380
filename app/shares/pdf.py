"""A page of the app as a PDF (WeasyPrint), with its own stylesheets and images only."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The page's addresses resolve against this; nothing is ever fetched from it.
BASE_URL = "https://studyshare.invalid/"
# The routes a printed page may load files from: the static files and the clinic's logo.
FILE_ENDPOINTS = frozenset({"static", "patient.clinic_logo"})


class _OwnFiles(URLFetcher):
    """Answers a page's file addresses with the app's own routes (fingerprinted names and
    all), and refuses every other address, so rendering never reaches a network."""

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" != BASE_URL:
            raise ValueError(f"{url} is not one of the app's own files.")
        endpoint, values = current_app.url_map.bind("studyshare.invalid").match(parts.path)
        if endpoint not in FILE_ENDPOINTS:
            raise ValueError(f"{parts.path} is not one of the app's own files.")
        with current_app.test_request_context(parts.path):
            response = current_app.view_functions[endpoint](**values)
            response.direct_passthrough = False  # a file response, read whole here
            try:
                body = response.get_data()
            finally:
                response.close()
        return URLFetcherResponse(url, body, {"Content-Type": response.mimetype})


def pdf_of_page(page: str) -> bytes:
    """The PDF of an HTML page rendered by the app, as its print stylesheet lays it out."""
    return HTML(string=page, base_url=BASE_URL, url_fetcher=_OwnFiles()).write_pdf()
