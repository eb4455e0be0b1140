"""The self-contained HTML report: a document model of sections and one renderer.

A :class:`ReportDocument` is a title, a subtitle and :class:`Section` objects, each holding
blocks: paragraphs, tables (:class:`~hccsurv.present.table.Table`), figures (PNG bytes, inlined
as base64 data URIs), warnings and a patient-flow diagram. :func:`render_report` writes one HTML
page with everything inline: no scripts, no fonts, no images or styles fetched from anywhere, so
the report opens offline and leaks nothing about the patients to a network.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from hccsurv.present.render.html import TABLE_CSS, table_to_html
from hccsurv.present.table import Table


@dataclass(frozen=True)
class Paragraph:
    """Plain text (escaped when rendered)."""

    text: str


@dataclass(frozen=True)
class Figure:
    """A PNG figure with its caption."""

    png: bytes
    caption: str
    alt: str


@dataclass(frozen=True)
class Warnings:
    """Warnings that concern the result they stand next to."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class FlowStep:
    """One box of the patient-flow diagram and the exclusions branching off after it."""

    label: str
    n: int
    exclusions: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class FlowDiagram:
    """A vertical patient-flow diagram (STROBE item 13)."""

    steps: tuple[FlowStep, ...]
    branches: tuple[tuple[str, int], ...] = ()


Block = Paragraph | Table | Figure | Warnings | FlowDiagram


@dataclass(frozen=True)
class Section:
    """A titled part of the report; ``id`` is its stable anchor."""

    id: str
    title: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class ReportDocument:
    """The whole report."""

    title: str
    subtitle: str
    sections: tuple[Section, ...]
    footer: str = ""
    meta: dict[str, str] = field(default_factory=dict)


PAGE_CSS = """\
:root { color-scheme: light; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #1a1a1a;
  max-width: 1100px; margin: 0 auto; padding: 1.5em 2em 4em; line-height: 1.45; }
header h1 { font-size: 1.6em; margin-bottom: 0.2em; }
header p.subtitle { color: #444; margin-top: 0; }
nav.toc { background: #f6f7f9; border: 1px solid #e1e4e8; padding: 0.6em 1.2em; margin: 1em 0 2em; }
nav.toc ol { margin: 0.3em 0; padding-left: 1.4em; }
nav.toc a { color: #0b4f8a; text-decoration: none; }
section { margin-top: 2.2em; }
section h2 { font-size: 1.3em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
section h3 { font-size: 1.1em; margin-top: 1.6em; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #333; margin-top: 0.3em; }
div.hcc-warnings { border-left: 4px solid #d58a00; background: #fff8e6; padding: 0.4em 0.9em;
  margin: 0.8em 0; font-size: 0.92em; }
div.hcc-warnings ul { margin: 0.2em 0; padding-left: 1.2em; }
p.hcc-methods { text-align: justify; }
div.hcc-flow { display: flex; flex-direction: column; align-items: flex-start; gap: 0;
  margin: 1em 0; }
div.hcc-flow-row { display: flex; align-items: center; gap: 1.2em; }
div.hcc-flow-box { border: 1.5px solid #333; padding: 0.45em 1em; min-width: 16em;
  text-align: center; background: #fff; }
div.hcc-flow-box b { font-size: 1.1em; }
div.hcc-flow-excl { border: 1.5px dashed #777; padding: 0.35em 0.8em; font-size: 0.9em;
  background: #fafafa; }
div.hcc-flow-arrow { margin-left: 8em; height: 1.4em; border-left: 1.5px solid #333; }
div.hcc-flow-branches { display: flex; gap: 1.2em; }
footer { margin-top: 3em; font-size: 0.85em; color: #555; border-top: 1px solid #ddd;
  padding-top: 0.8em; }
@media print { nav.toc { display: none; } section { break-inside: avoid-page; } }
"""


def _figure(block: Figure) -> str:
    data = base64.b64encode(block.png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{escape(block.alt)}">'
        f"<figcaption>{escape(block.caption)}</figcaption></figure>"
    )


def _warnings(block: Warnings) -> str:
    if not block.items:
        return ""
    items = "".join(f"<li>{escape(w)}</li>" for w in block.items)
    return f'<div class="hcc-warnings" role="note"><b>Warnings</b><ul>{items}</ul></div>'


def _flow(block: FlowDiagram) -> str:
    parts = ['<div class="hcc-flow">']
    for i, step in enumerate(block.steps):
        if i:
            parts.append('<div class="hcc-flow-arrow"></div>')
        excl = "".join(
            f'<div class="hcc-flow-excl">Excluded: {escape(reason)} (n = {n})</div>'
            for reason, n in step.exclusions
        )
        parts.append(
            f'<div class="hcc-flow-row"><div class="hcc-flow-box">{escape(step.label)}<br>'
            f"<b>n = {step.n}</b></div>{excl}</div>"
        )
    if block.branches:
        parts.append('<div class="hcc-flow-arrow"></div><div class="hcc-flow-branches">')
        parts += [
            f'<div class="hcc-flow-box">{escape(label)}<br><b>n = {n}</b></div>'
            for label, n in block.branches
        ]
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f'<p class="hcc-methods">{escape(block.text)}</p>'
    if isinstance(block, Table):
        return table_to_html(block)
    if isinstance(block, Figure):
        return _figure(block)
    if isinstance(block, Warnings):
        return _warnings(block)
    return _flow(block)


def _section(section: Section, level: int) -> str:
    tag = f"h{level}"
    body = "".join(_block(b) for b in section.blocks)
    subs = "".join(_section(s, level + 1) for s in section.subsections)
    return (
        f'<section id="{escape(section.id)}"><{tag}>{escape(section.title)}</{tag}>'
        f"{body}{subs}</section>"
    )


def _toc(sections: Sequence[Section]) -> str:
    items = "".join(f'<li><a href="#{escape(s.id)}">{escape(s.title)}</a></li>' for s in sections)
    return f'<nav class="toc" aria-label="Contents"><b>Contents</b><ol>{items}</ol></nav>'


def render_report(document: ReportDocument) -> str:
    """The report as one self-contained HTML page (deterministic for the same document)."""
    meta = "".join(
        f'<meta name="{escape(k)}" content="{escape(v)}">' for k, v in sorted(document.meta.items())
    )
    body = "".join(_section(s, 2) for s in document.sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{meta}<title>{escape(document.title)}</title>"
        f"<style>{PAGE_CSS}{TABLE_CSS}</style></head><body>"
        f"<header><h1>{escape(document.title)}</h1>"
        f'<p class="subtitle">{escape(document.subtitle)}</p></header>'
        f"{_toc(document.sections)}<main>{body}</main>"
        f"<footer>{escape(document.footer)}</footer></body></html>\n"
    )
