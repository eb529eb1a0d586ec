"""HTML to PDF with Debian's Chromium, headless, in a subprocess with a timeout.

Chromium gets a fresh profile folder, no network services, and a file:// URL;
the page itself forbids every fetch (render.CSP). Any failure raises
PdfFailed with a message that says what to do.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT = 120                     # seconds: a busy machine prints slowly


class PdfFailed(RuntimeError):
    """No PDF was made; the message says why (the HTML is still there)."""


def find_browser():
    """The path of a Chromium on PATH, or None."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_to_pdf(html_path, pdf_path, timeout=TIMEOUT):
    """Print an HTML file to pdf_path with headless Chromium; returns pdf_path."""
    browser = find_browser()
    if browser is None:
        raise PdfFailed("Chromium was not found (looked for " + ", ".join(BROWSERS) + " on PATH); "
                        "install it (Debian: apt-get install chromium) or print the HTML file "
                        "to PDF from any browser")
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path).resolve()
    pdf_path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="rnn-written-chromium-") as profile:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-background-networking", "--disable-extensions", "--no-first-run",
                   f"--user-data-dir={profile}", "--no-pdf-header-footer",
                   f"--print-to-pdf={pdf_path}", html_path.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise PdfFailed(f"Chromium did not finish printing within {timeout} s") from None
        except OSError as error:
            raise PdfFailed(f"Chromium could not be started ({error})") from None
    if done.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        tail = (done.stderr or done.stdout or "").strip().splitlines()[-3:]
        raise PdfFailed(f"Chromium exited with code {done.returncode} and wrote no PDF"
                        + (": " + " / ".join(tail) if tail else ""))
    return pdf_path
