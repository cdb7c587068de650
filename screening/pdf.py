"""The doctor's summary as a PDF (WeasyPrint), with the print stylesheet inlined."""

from __future__ import annotations

from weasyprint import HTML


def render_pdf(html: str) -> bytes:
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]
