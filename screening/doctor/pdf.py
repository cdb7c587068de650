"""The doctor's summary as a PDF (WeasyPrint), with the print stylesheet inlined."""

from __future__ import annotations


def render_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango and fonts, which no other request needs.
    from weasyprint import HTML

    document: bytes = HTML(string=html).write_pdf()
    return document
