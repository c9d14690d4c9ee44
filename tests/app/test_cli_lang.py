"""The command-line summaries follow --lang (zh: no English codes, 万kWh and 万元; en: MWh and CNY million,
no 万), and `solarplan briefing --docx` writes the Word copy beside the HTML. Run as a user runs them:
``python -m solarplan`` in a subprocess."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import docx
import pandas as pd
import pytest

from solarplan.core.resources import data_path
from solarplan.report.content import briefing_content

REPO = Path(__file__).resolve().parents[2]
#: Latin words a zh summary may carry: units, P50/P90, the file names and the programs named.
ZH_ALLOWED = {"MWp", "MW", "kWh", "kWp", "m", "P50", "P90", "map", "html", "briefing", "docx", "OpenStreetMap",
              "WPS", "Word", "LED", "CRS", "EPSG"}   # CRS EPSG:4326: the register's coordinate system
#: Codes and words that must not reach a zh reader.
CODES = {"agency", "school", "hospital", "venue", "soe", "gshp", "led", "chiller", "lift", "trusteeship",
         "simulated", "packages", "package", "retrofit", "viable", "excluded", "rows", "yr", "capex"}


def run(*args, cwd=None):
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "LANG": "C.UTF-8"}
    r = subprocess.run([sys.executable, "-m", "solarplan", *map(str, args)], capture_output=True, text=True,
                       env=env, cwd=cwd, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


@pytest.fixture(scope="module")
def demo(demo_cli):
    """`python -m solarplan demo --out FOLDER` as a user runs it, with its printed summary: the suite's one
    subprocess demo (tests/conftest.py ``demo_cli``, the same environment as :func:`run`). Read only."""
    return demo_cli.folder, demo_cli.stdout


def summary_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip() and not ln.strip().startswith(("已写出", "wrote"))]


def test_demo_summary_in_zh_has_no_english_codes(demo):
    d, text = demo
    lines = summary_lines(text)
    assert len(lines) >= 7, text
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9]*", "\n".join(lines)))
    assert not words & CODES, words & CODES
    assert words <= ZH_ALLOWED, words - ZH_ALLOWED
    assert "万kWh" in text and "万元" in text
    assert "地源热泵" in text               # left-out measures named in Chinese
    # the demo writes the Word briefing too, and it opens
    assert (d / "briefing.docx").exists() and docx.Document(str(d / "briefing.docx")).paragraphs


def test_demo_zh_summary_figures_are_the_tables(demo):
    """The simulate line's P50 figure is the sum of sites.csv (computed here) in 万kWh, one decimal."""
    d, text = demo
    s = pd.read_csv(d / "sites.csv")
    assert f"{s['annual_ac_kwh'].sum() / 1e4:,.1f} 万kWh（P50）" in text


def test_english_summaries_speak_mwh_and_cny_million(demo):
    from solarplan.app.pipeline import simulation_summary
    d, _ = demo
    sites, surfaces = pd.read_csv(d / "sites.csv"), pd.read_csv(d / "surfaces.csv")
    line = simulation_summary(surfaces, sites, "en")
    assert "万" not in line and f"{sites['annual_ac_kwh'].sum() / 1e3:,.1f} MWh/yr (P50)" in line
    assert f"capex {sites['capex_cny'].sum() / 1e6:,.1f} CNY million" in line


def test_contract_and_retrofit_summaries_follow_lang(tmp_path):
    src = pd.read_csv(data_path("demo_shiyan_buildings.csv")).head(12)
    f = tmp_path / "b.csv"
    src.to_csv(f, index=False)
    en = run("contract", f, "--out", tmp_path / "deal_en.xlsx", "--lang", "en", "--target-irr", "8%")
    zh = run("contract", f, "--out", tmp_path / "deal_zh.xlsx", "--target-irr", "8%")
    assert "package all buildings:" in en and "CNY million" in en and "万" not in en
    assert "项目包 全部建筑" in zh and "服务商收益率" in zh and "托管优惠比例" in zh
    zh_words = set(re.findall(r"[A-Za-z][A-Za-z0-9]*", "\n".join(summary_lines(zh))))
    assert not zh_words & CODES, zh_words
    r_en = run("retrofit", f, "--out", tmp_path / "r.csv", "--lang", "en")
    assert "retrofit:" in r_en and "MWh" in r_en and "万" not in r_en


def test_briefing_docx_beside_the_html(demo, tmp_path):
    d, _ = demo
    out = tmp_path / "会议" / "briefing.html"
    text = run("briefing", d, "--out", out, "--docx")
    assert out.exists() and out.with_suffix(".docx").exists()
    assert "已写出" in text and str(out.with_suffix(".docx")) in text
    doc = docx.Document(str(out.with_suffix(".docx")))
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    for card in briefing_content(d, "zh").pv:
        assert card.value in cells
    # naming the .docx writes it (and the HTML beside it); without --docx there is no Word file
    run("briefing", d, "--out", tmp_path / "only.docx", "--lang", "en")
    assert (tmp_path / "only.docx").exists() and (tmp_path / "only.html").exists()
    run("briefing", d, "--out", tmp_path / "plain.html")
    assert not (tmp_path / "plain.docx").exists()


@pytest.mark.parametrize("lang, wrote", [("zh", "已写出"), ("en", "wrote")])
def test_map_wrote_line_follows_lang(demo, tmp_path, lang, wrote):
    """`map` says what it wrote in the --lang of the other commands (zh by default), as `briefing` does."""
    d, _ = demo
    out = tmp_path / "map.html"
    args = ("map", d, "--out", out, "--tiles", "none") + (("--lang", "en") if lang == "en" else ())
    lines = run(*args).strip().splitlines()
    assert lines[-1].startswith(f"{wrote} {out} (") and lines[-1].endswith(" MB)"), lines


def test_bad_lang_is_one_message():
    r = subprocess.run([sys.executable, "-m", "solarplan", "retrofit", "x.csv", "--out", "y.csv", "--lang", "fr"],
                       capture_output=True, text=True, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 2 and "--lang must be zh or en" in r.stderr and "Traceback" not in r.stderr
