"""Render the packet's Markdown (the subset ``appeal_letter`` writes) to PDF with fpdf2.

Handled: ``#``/``##`` headings, paragraphs (consecutive lines join; a line ending in
two spaces or a ``**Label:**`` line keeps its break), ``**bold**``, ``- `` bullets,
``> `` quotes, ``|`` tables, the page-break ``<div>``, and ``<!-- -->`` comments (left
out: the biller notes). Core PDF fonts are Latin-1: other characters are replaced
(curly quotes and dashes by their ASCII forms).
"""

from __future__ import annotations

import re
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

ASCII = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                       "\u2026": "...", "\u00a0": " ", "\u2022": "-", "\u2264": "<=", "\u2265": ">="})
PAGE_BREAK = re.compile(r"^<div style=\"page-break-after: always\"></div>$")


def latin1(text: str) -> str:
    return text.translate(ASCII).encode("latin-1", "replace").decode("latin-1")


class _Packet(FPDF):
    title_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(110)
        self.cell(0, 6, latin1(f"{self.title_text}  -  page {self.page_no()}/{{nb}}"), align="C")
        self.set_text_color(0)


def _strip_comments(text: str) -> str:
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


def _blocks(text: str):
    """(kind, payload) blocks: heading1/heading2/para/bullets/quote/table/break."""
    lines = _strip_comments(text).splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\n")
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        if PAGE_BREAK.match(stripped):
            yield "break", None
            i += 1
        elif stripped.startswith("## "):
            yield "heading2", stripped[3:]
            i += 1
        elif stripped.startswith("# "):
            yield "heading1", stripped[2:]
            i += 1
        elif stripped.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-{2,}:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            yield "table", rows
        elif stripped.startswith("- "):
            items = []
            while i < len(lines) and lines[i].strip().startswith("- "):
                items.append(lines[i].strip()[2:])
                i += 1
            yield "bullets", items
        elif stripped.startswith(">"):
            quote = []
            while i < len(lines) and lines[i].strip().startswith(">"):
                quote.append(lines[i].strip()[1:].strip())
                i += 1
            yield "quote", "\n".join(q for q in quote if q)
        else:
            para = []
            while i < len(lines) and lines[i].strip() and not lines[i].strip().startswith(("#", "|", "- ", ">")) \
                    and not PAGE_BREAK.match(lines[i].strip()):
                para.append(lines[i])
                i += 1
            yield "para", para


def _para_text(lines: list[str]) -> str:
    """Join a paragraph's lines: hard breaks kept after '  ', before '**Label:**' lines, in address blocks."""
    out = ""
    for n, line in enumerate(lines):
        text = line.rstrip()
        if n:
            keep = lines[n - 1].endswith("  ") or line.lstrip().startswith("**") or len(lines[n - 1].strip()) < 60 \
                or lines[n - 1].strip().startswith("_")
            out += "\n" if keep else " "
        out += text.strip()
    return out


def render_pdf(markdown: str, path: str | Path, *, title: str = "Appeal") -> Path:
    """Write ``markdown`` as a PDF at ``path``; returns the path."""
    pdf = _Packet(format="Letter")
    pdf.title_text = latin1(title)
    pdf.set_title(latin1(title))
    pdf.set_creator("cleanclaim")
    pdf.alias_nb_pages()
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for kind, payload in _blocks(markdown):
        pdf.set_x(pdf.l_margin)
        if kind == "break":
            pdf.add_page()
        elif kind == "heading1":
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 14)
            pdf.multi_cell(width, 7, latin1(payload.replace("**", "")))
            pdf.ln(2)
        elif kind == "heading2":
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 11.5)
            pdf.multi_cell(width, 6, latin1(payload.replace("**", "")))
            pdf.ln(1)
        elif kind == "para":
            pdf.set_font("Helvetica", size=10.5)
            pdf.multi_cell(width, 5.2, latin1(_para_text(payload)), markdown=True, align="L")
            pdf.ln(2.5)
        elif kind == "bullets":
            pdf.set_font("Helvetica", size=10)
            for item in payload:
                pdf.set_x(pdf.l_margin + 3)
                pdf.multi_cell(width - 3, 5, latin1(f"-  {item}"), markdown=True, align="L")
            pdf.ln(2)
        elif kind == "quote":
            pdf.set_font("Helvetica", "I", 10)
            pdf.set_x(pdf.l_margin + 6)
            pdf.set_text_color(60)
            pdf.multi_cell(width - 6, 5, latin1(payload), markdown=True, align="L")
            pdf.set_text_color(0)
            pdf.ln(2)
        elif kind == "table" and payload:
            pdf.set_font("Helvetica", size=8.5)
            header = any(payload[0]) and len(payload) > 1
            if not any(payload[0]):
                payload = payload[1:]  # a key/value table: no heading row
            with pdf.table(width=width, first_row_as_headings=header, line_height=4.6,
                           headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 242)),
                           text_align="LEFT") as table:
                for row in payload:
                    cells = table.row()
                    for cell in row:
                        cells.cell(latin1(cell.replace("**", "")))
            pdf.ln(3)
    out = Path(path)
    pdf.output(str(out))
    return out
