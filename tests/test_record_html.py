"""The HTML report renders in headless Chromium without errors; the screenshot is kept in
artifacts/record-report.png (gitignored) for a person to look at."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from recordkit import ROOT, SCRIPT, data_dir, keyboard, logs, run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--enable-logging=stderr", "--window-size=1000,1000"]


def chromium(tmp_path, *args):
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120)


def page_errors(stderr: str) -> list[str]:
    """Console errors and load failures (Chromium's dbus complaints in a container are not)."""
    bad = ("CONSOLE", "Uncaught", "ERR_", "Failed to load")
    return [line for line in stderr.splitlines() if any(b in line for b in bad)]


@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed (scripts/setup installs it)")
def test_html_report_renders_in_headless_chromium(tmp_path):
    keyboard([*SCRIPT, "pause", "wait 10", "resume", "finish", "yes"], "--client", "R-17")
    page = data_dir() / "report.html"
    assert run_cli(["report", str(logs()[0]), "-o", str(page)]).returncode == 0
    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = artifacts / "record-report.png"
    shot.unlink(missing_ok=True)
    result = chromium(tmp_path, f"--screenshot={shot}", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.stat().st_size > 20_000  # a page with a picture and a table, not a blank one
    assert page_errors(result.stderr) == []
    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0 and page_errors(dom.stderr) == []
    # safety table (head + 2 rows: hold limit, worse) and two steps' point tables (head + 2)
    assert "<svg" in dom.stdout and dom.stdout.count("<tr>") == 3 + 3 + 2
    assert "too much pressure (worse)" in dom.stdout


def test_the_error_filter_catches_a_broken_page(tmp_path):
    """Proof the check above can fail: a page with a script error is caught."""
    if not CHROMIUM:
        pytest.skip("chromium is not installed (scripts/setup installs it)")
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>undefinedFunction()</script></body></html>")
    result = chromium(tmp_path, "--dump-dom", bad.as_uri())
    assert page_errors(result.stderr)


PDFTOTEXT, PDFTOPPM = shutil.which("pdftotext"), shutil.which("pdftoppm")


@pytest.mark.skipif(not (PDFTOTEXT and PDFTOPPM),
                    reason="poppler-utils is not installed (scripts/setup installs it)")
@pytest.mark.parametrize("kind", ["report", "soap"])
def test_pdf_report_and_soap_note_have_the_record_in_them(tmp_path, kind):
    """WeasyPrint's PDF read back with poppler: the words are there, the page is drawn."""
    keyboard(["next", "pulse", "located", "yes", "tender", "refers", "wait 13", "numb",
              "finish", "yes"])
    pdf = data_dir() / f"{kind}.pdf"
    args = ["report", "latest", "-o", str(pdf), "--paper", "letter"]
    result = run_cli(args + (["--format", "soap"] if kind == "soap" else []), timeout=120)
    assert result.returncode == 0, result.stderr
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run([PDFTOTEXT, str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    for words in ("Pulse under the fingers (aorta)", "Hold limit reached", "Contract and relax",
                  "Nerve signs (numbness, tingling, weakness): work stopped"):
        assert words in " ".join(text.split()), words
    if kind == "soap":
        assert "Refer to a physician" in " ".join(text.split())
    size = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "612 x 792 pts (letter)" in size
    png = tmp_path / "page"
    subprocess.run([PDFTOPPM, "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(png)],
                   check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 10_000  # drawn, not blank


@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed (scripts/setup installs it)")
def test_soap_note_html_renders_in_headless_chromium(tmp_path):
    keyboard(["next", "located", "yes", "tender", "local", "wait 3", "fading", "finish", "yes"])
    page = data_dir() / "soap.html"
    assert run_cli(["report", "latest", "--format", "soap", "-o", str(page)]).returncode == 0
    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0 and page_errors(dom.stderr) == []
    for words in ("S: Subjective", "O: Objective", "A: Assessment", "P: Plan",
                  "none indicated by the record", 'class="blank tall"'):
        assert words in dom.stdout, words


@pytest.mark.skipif(not (CHROMIUM and PDFTOTEXT), reason="chromium and poppler-utils are "
                    "installed by scripts/setup")
def test_the_html_report_prints_from_the_browser_on_letter_paper(tmp_path):
    """The print stylesheet: the browser's own print of the HTML, on the paper it was given."""
    keyboard([*SCRIPT, "finish", "yes"])
    page = data_dir() / "report.html"
    assert run_cli(["report", "latest", "-o", str(page), "--paper", "letter"]).returncode == 0
    printed = tmp_path / "printed.pdf"
    result = chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={printed}",
                      page.as_uri())
    assert result.returncode == 0 and printed.read_bytes().startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", str(printed)], capture_output=True, text=True).stdout
    assert "612 x 792 pts (letter)" in info and re.search(r"Pages:\s+1\n", info)  # one page
    text = " ".join(subprocess.run([PDFTOTEXT, str(printed), "-"], capture_output=True,
                                   text=True).stdout.split())
    assert "Safety events" in text and "Hold limit reached (point 2)" in text
