"""The storyboard as a deck: an editable PowerPoint (16:9) or a PDF, one page per slide and a last one
with the live dashboard's link.

In the PowerPoint the map is a picture (drawn without its texts), and the title, the key figure and
the source line are real text boxes, the notes the speaker's notes, the QR code a picture: the
speaker can edit the words. The PDF pages are the slides as :func:`~territoires.export.slide.compose`
draws them.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import segno
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Pt

from territoires.export import slide as sl
from territoires.storyboard.model import Slide, Storyboard
from territoires.webmap.geometry import GeometryCache

FORMATS = ("pptx", "pdf")
SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)  # 13,333 × 7,5 inches: PowerPoint's 16:9
LAST_TITLE = "Le tableau de bord en direct"
QR_NAME = "QR"  # the QR code pictures' name: a reader (or a test) finds them by it
Progress = Callable[[int, int], None]
# The picture's points (at 100 dpi, 1920 px wide) in PowerPoint's points (960 pt wide): the same size on screen.
TO_PPT = (1 / 0.72) * (960 / 1920)


def url_of(base_url: str, slide: Slide) -> str:
    """The address a slide's QR code opens: the dashboard's ``base_url`` and the slide's link."""
    return base_url.rstrip("/") + slide.link


def build_deck(
    cache: GeometryCache,
    sb: Storyboard,
    fmt: str,
    base_url: str,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> bytes:
    """The deck of ``sb`` as PPTX or PDF bytes; ``progress(done, total)`` after each slide."""
    if fmt not in FORMATS:
        raise ValueError(f"format de diaporama inconnu : {fmt!r}")
    today = today or dt.date.today()
    build = _pptx if fmt == "pptx" else _pdf
    return build(cache, sb, base_url, today, progress or (lambda done, total: None))


def qr_png(url: str, scale: int = 12) -> bytes:
    """The QR code of ``url`` as a PNG picture."""
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def _px(x: float, total: int, emu: int) -> Emu:
    """A length of the 1920×1080 picture (pixels) as EMU on the PowerPoint slide."""
    return Emu(round(x / total * emu))


def _text_box(s, text: str, box: tuple[float, float, float, float], size: float, *, bold=False, color="1a1a1a"):
    """A text box at ``box`` (x, y, w, h in the picture's pixels, y from the top) holding ``text``."""
    x, y, w, h = box
    shape = s.shapes.add_textbox(
        _px(x, sl.W, SLIDE_W), _px(y, sl.H, SLIDE_H), _px(w, sl.W, SLIDE_W), _px(h, sl.H, SLIDE_H)
    )
    tf = shape.text_frame
    tf.word_wrap = True
    tf.text = text  # plain text: whatever the data holds stays words
    for p in tf.paragraphs:
        for r in p.runs:
            r.font.size = Pt(size)
            r.font.bold = bold
            r.font.color.rgb = RGBColor.from_string(color)
    return shape


def _qr_picture(s, url: str, side_px: float) -> None:
    """The QR code of ``url`` at the picture's bottom right, where the slide's drawing left it room."""
    x, y, _, _ = sl.qr_box()
    top = sl.H * (1 - y) - side_px
    pic = s.shapes.add_picture(
        io.BytesIO(qr_png(url)),
        _px(x * sl.W, sl.W, SLIDE_W),
        _px(top, sl.H, SLIDE_H),
        _px(side_px, sl.W, SLIDE_W),
        _px(side_px, sl.H, SLIDE_H),
    )
    pic.name = QR_NAME


def _pptx(cache: GeometryCache, sb: Storyboard, base_url: str, today: dt.date, progress: Progress) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    prs.core_properties.title = sb.title[:250]
    total = len(sb.slides)
    for i, slide in enumerate(sb.slides):
        _pptx_slide(prs, cache, slide, url_of(base_url, slide), today)
        progress(i + 1, total)
    _pptx_last(prs, sb, base_url)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _title_only(prs):
    """A slide of the « Title Only » layout: its title is the outline's and a screen reader's."""
    s = prs.slides.add_slide(prs.slide_layouts[5])
    return s, s.shapes.title


def _set_title(title, text: str, size: float, lines: int = 1) -> None:
    """The title placeholder where the picture leaves room for it; ``size`` in the picture's points."""
    title.left, title.top = _px(sl.MARGIN, sl.W, SLIDE_W), _px(sl.MARGIN / 2, sl.H, SLIDE_H)
    title.width, title.height = _px(sl.W * 0.94, sl.W, SLIDE_W), _px(1.3 * size / sl.PX * lines, sl.H, SLIDE_H)
    size = size * TO_PPT
    tf = title.text_frame
    tf.text = text
    tf.word_wrap = True
    for p in tf.paragraphs:
        p.alignment = 1  # left
        for r in p.runs:
            r.font.size, r.font.bold = Pt(size), True
            r.font.color.rgb = RGBColor.from_string("1a1a1a")


def _pptx_slide(prs, cache: GeometryCache, slide: Slide, url: str, today: dt.date) -> None:
    """One slide: the map picture without its texts, then the texts, the QR code and the notes."""
    s, title = _title_only(prs)
    composed = sl.compose(cache, slide, link=url, today=today, text=False)
    png = sl.save(composed.fig, "png")
    pic = s.shapes.add_picture(io.BytesIO(png), 0, 0, SLIDE_W, SLIDE_H)
    pic.name = "Carte"
    s.shapes._spTree.remove(pic._element)  # the map behind the texts
    s.shapes._spTree.insert(2, pic._element)
    lines = sl.title_lines(slide)
    _set_title(title, slide.title, sl.TITLE_PT, len(lines))
    size, figure = sl.figure_lines(slide)
    if figure:
        y = sl.MARGIN + 1.25 * sl.TITLE_PT / sl.PX * len(lines)
        h = 1.2 * size / sl.PX * len(figure) + 10
        box = _text_box(s, slide.figure, (sl.MARGIN, y, sl.W * 0.96, h), size * TO_PPT, bold=True, color=sl.ACCENT[1:])
        box.name = "Chiffre clé"
    foot = _text_box(
        s,
        sl.footer(cache, today),
        (sl.MARGIN, sl.H * (1 - sl.BOTTOM), sl.W * 0.82, sl.H * sl.BOTTOM),
        12,  # points on a 960-point-wide slide: the picture's 13-point source line (18 px), a little larger
        color="333333",
    )
    foot.name = "Source"
    _qr_picture(s, url, sl.QR_PX)
    s.notes_slide.notes_text_frame.text = slide.notes or slide.title


def _pptx_last(prs, sb: Storyboard, base_url: str) -> None:
    """The last slide: the live dashboard's address and its QR code."""
    s, title = _title_only(prs)
    _set_title(title, LAST_TITLE, sl.TITLE_PT)
    link = _text_box(s, base_url, (sl.MARGIN, 260, sl.W * 0.55, 120), 32, bold=True, color=sl.ACCENT[1:])
    link.name = "Lien"
    run = link.text_frame.paragraphs[0].runs[0]
    run.hyperlink.address = base_url
    _text_box(
        s,
        f"{sb.title}\nChaque vue du diaporama s'y ouvre en mode présentation.",
        (sl.MARGIN, 420, sl.W * 0.55, 200),
        20,
    )
    side = 520
    pic = s.shapes.add_picture(
        io.BytesIO(qr_png(base_url)),
        _px(sl.W - sl.MARGIN * 3 - side, sl.W, SLIDE_W),
        _px(260, sl.H, SLIDE_H),
        _px(side, sl.W, SLIDE_W),
        _px(side, sl.H, SLIDE_H),
    )
    pic.name = QR_NAME
    s.notes_slide.notes_text_frame.text = f"Le tableau de bord : {base_url}"


def _pdf(cache: GeometryCache, sb: Storyboard, base_url: str, today: dt.date, progress: Progress) -> bytes:
    buf = io.BytesIO()
    total = len(sb.slides)
    with PdfPages(buf, metadata={"Title": sb.title, "Creator": "Territoires"}) as pdf:
        for i, slide in enumerate(sb.slides):
            pdf.savefig(sl.compose(cache, slide, link=url_of(base_url, slide), today=today).fig, facecolor=sl.SEA)
            progress(i + 1, total)
        pdf.savefig(last_page(sb, base_url))
    return buf.getvalue()


def last_page(sb: Storyboard, base_url: str) -> Figure:
    """The PDF's last page: the live dashboard's address and its QR code."""
    fig = Figure(figsize=(sl.W / sl.DPI, sl.H / sl.DPI), dpi=sl.DPI, facecolor="white")
    y = 1 - sl.MARGIN / sl.H
    fig.text(sl.MARGIN / sl.W, y, LAST_TITLE, fontsize=sl.TITLE_PT, fontweight="bold", va="top", parse_math=False)
    fig.text(
        sl.MARGIN / sl.W, 0.7, base_url, fontsize=sl.FIGURE_PT, fontweight="bold", color=sl.ACCENT, parse_math=False
    )
    fig.text(sl.MARGIN / sl.W, 0.55, sb.title, fontsize=22, va="top", wrap=True, parse_math=False)
    m = sl.qr_matrix(base_url)
    side = len(m) * max(1, 520 // len(m))
    ax = fig.add_axes(((sl.W - 3 * sl.MARGIN - side) / sl.W, 0.25, side / sl.W, side / sl.H))
    ax.imshow(~m, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    return fig
