"""One entry for every report output: (report | soap) x (md | html | pdf), as bytes.

The PDF is the HTML page laid out by WeasyPrint (a well-kept HTML/CSS-to-PDF library: no
browser, no network; the page's inline SVG and print stylesheet carry over), on A4 or Letter.
"""

from __future__ import annotations

import logging

from voice_guide.errors import UserError
from voice_guide.record.reader import Log
from voice_guide.report import document as report
from voice_guide.report import soap as report_soap

PAPERS = {"a4": "A4", "letter": "letter"}


def render(log: Log, kind: str, typ: str, paper: str | None = None) -> bytes:
    """`paper` None: HTML prints on whatever paper the printer has (it fits A4 and Letter),
    and a PDF is A4."""
    module = report_soap if kind == "soap" else report
    if typ == "md":
        return module.markdown(log).encode()
    size = PAPERS.get(paper or ("a4" if typ == "pdf" else ""))
    page = module.html_page(log, size)
    return pdf(page) if typ == "pdf" else page.encode()


def pdf(page: str) -> bytes:
    try:
        import weasyprint
    except ImportError as exc:  # a broken install (it is a dependency), or its system libraries
        raise UserError(f"PDF needs WeasyPrint and Pango ({exc}); write HTML (-o FILE.html) and "
                        "print it from a browser") from None
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)  # font subsetting chatter
    return weasyprint.HTML(string=page, base_url=None).write_pdf()
