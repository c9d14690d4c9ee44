"""One validation engine for the tables planners keep; a schema per table (pure).

Two schemas use it: the inventory of roofs and carports (:mod:`solarplan.io.validate`) and the
buildings table of the retrofit measures (:mod:`retrofit.buildings`). The engine does what both
need, in time linear in the rows:

* headers: Chinese or English spellings, with the unit in brackets (``屋顶可利用面积（㎡）``,
  ``年用电量（万千瓦时）``, ``装机容量（MW）``) scaling the column's values;
* rows that are not records: blank rows, totals (``合计``, ``小计``, ``总计``, ``Total``) and
  sign-off lines (``填报人：…``) are counted apart as *skipped*, never as rejects;
* cells as people write them: ``约1500``, ``1,500``, ``4200㎡``, ``0.6万``, full-width digits,
  degrees-minutes-seconds; approximate values are kept and flagged in ``notes``;
* rejects: one per input row, naming the row, the column, the text and why.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from solarplan.core.errors import InputError
from solarplan.core.quantity import QuantityError, parse_coordinate, parse_unit, parse_value

#: First cells of total and subtotal rows.
TOTAL = re.compile(r"^\s*(?:合\s*计|小\s*计|总\s*计|共\s*计|总\s*数|(?:grand\s+|sub-?)?total\b|sum\b)", re.I)
#: Sign-off and footnote lines below a register (only when the row has no other text).
FOOTER = re.compile(r"^\s*(?:填报人|填表人|审核人|负责人|联系人|联系电话|制表|填报日期|填表日期|注\s*[:：]|说明\s*[:：]|备注\s*[:：])")
SKIP_COLUMNS = ["source_file", "source_row", "kind", "text"]

_UNIT = re.compile(r"^(.*?)[（(\[【]\s*([^）)\]】]*)\s*[）)\]】]\s*$")


def header_key(text) -> str:
    """Normalised header text: NFKC, lower case, without spaces, underscores, hyphens, brackets."""
    t = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"[\s_\-()（）\[\]【】/²:：*＊]", "", t)


def split_unit(header) -> tuple[str, str]:
    """``'屋顶可利用面积（㎡）'`` -> ``('屋顶可利用面积', '㎡')``; no bracket -> ``(header, '')``."""
    t = unicodedata.normalize("NFKC", str(header)).strip().replace("\n", "")
    m = _UNIT.match(t)
    return (m.group(1).strip(), m.group(2).strip()) if m else (t, "")


def text(v) -> str:
    """A cell as clean text: '' for None/NaN, NFKC-normalised and stripped."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return unicodedata.normalize("NFKC", str(v)).strip()


def texts(values: pd.Series) -> pd.Series:
    """:func:`text` over a column (linear)."""
    return pd.Series([text(v) for v in values], index=values.index, dtype=object)


def is_blank(values: pd.Series) -> np.ndarray:
    """True where a cell is empty: None, NaN, '' or only spaces (the same for CSV and XLSX)."""
    return np.fromiter((text(v) == "" for v in values), bool, len(values))


@dataclass(frozen=True)
class Field:
    """One canonical column of a schema.

    Attributes
    ----------
    name : str
    kind : {'text', 'number', 'coord'}
    aliases : tuple of str
        Header spellings (matching ignores case, spaces, brackets and a unit in brackets).
    dimension : str, optional
        Dimension of a number (``area``, ``energy``, ``power``, ``money`` ...): a unit in its
        header or in a cell is converted to the base unit (:data:`solarplan.core.quantity.BASE`).
    lo, hi : float
        Accepted range; ``lo_inclusive`` says whether ``lo`` itself is accepted.
    fallback : str, optional
        What a blank cell of this optional column falls back to (``the surface type's default``). A cell
        that cannot be read as a value then falls back to it too, with a note, instead of costing the
        row (see :func:`numbers`); without it such a cell rejects the row.
    """

    name: str
    kind: str = "text"
    aliases: tuple[str, ...] = ()
    dimension: str | None = None
    lo: float = -math.inf
    hi: float = math.inf
    lo_inclusive: bool = True
    fallback: str = ""


@dataclass(frozen=True)
class Schema:
    """A table's canonical columns and the patterns of headers that repeat (``electricity_kwh_2023``)."""

    name: str
    fields: Mapping[str, Field]
    patterns: tuple[tuple[re.Pattern, Field], ...] = ()
    _lookup: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        for f in self.fields.values():
            for a in (f.name, *f.aliases):
                self._lookup.setdefault(header_key(a), f.name)

    def field_for(self, name: str) -> Field | None:
        if name in self.fields:
            return self.fields[name]
        for pat, f in self.patterns:
            if pat.match(name):
                return f
        return None

    def match(self, header) -> tuple[str | None, str]:
        """Canonical name of a header and the unit written in it (or ``(None, '')``)."""
        raw = str(header).strip()
        low = header_key(raw)
        for pat, _ in self.patterns:
            if pat.match(low):
                return low, ""
        if low in self._lookup:
            return self._lookup[low], ""
        label, unit = split_unit(raw)
        canon = self._lookup.get(header_key(label))
        return (canon, unit) if canon else (None, "")


@dataclass(frozen=True)
class HeaderMap:
    """How a file's headers map to a schema: ``rename`` (header -> canonical), ``factors`` (canonical ->
    base units per header unit) and ``units`` (canonical -> the unit text as written)."""

    rename: Mapping[str, str]
    factors: Mapping[str, float]
    units: Mapping[str, str]


def map_headers(columns: Iterable, schema: Schema, column_map: Mapping[str, str] | None = None,
                where: str = "") -> HeaderMap:
    """Map headers to a schema's columns.

    Raises
    ------
    InputError
        Two headers that mean the same column; a unit that does not fit the column
        (``面积（kWh）``); a ``column_map`` target that is not a column of the schema.
    """
    user = {str(k).strip(): v for k, v in (column_map or {}).items()}
    bad = sorted(v for v in user.values() if schema.field_for(v) is None)
    if bad:
        raise InputError(f"column_map maps to unknown column(s) {bad}; valid: {', '.join(sorted(schema.fields))}")
    rename, factors, units, taken = {}, {}, {}, {}
    for c in columns:
        canon, unit = (user[str(c).strip()], "") if str(c).strip() in user else schema.match(c)
        if canon is None:
            continue
        if canon in taken:
            raise InputError(f"{where}columns {taken[canon]!r} and {c!r} both mean {canon!r}; keep one "
                             "(or map one elsewhere in column_map)")
        f = schema.field_for(canon)
        if unit and f is not None and f.dimension:
            try:
                factors[canon] = parse_unit(unit, f.dimension)
            except QuantityError as exc:
                raise InputError(f"{where}column {c!r}: the unit {unit!r} does not fit {canon} ({exc})") from None
            units[canon] = unit
        taken[canon] = c
        rename[c] = canon
    return HeaderMap(rename, factors, units)


def header_score(cells: Iterable, schema: Schema) -> int:
    """How many distinct columns of the schema a row of cells names (header detection)."""
    return len({schema.match(c)[0] for c in cells if text(c)} - {None})


def find_header(rows: list[list], schema: Schema, limit: int = 30) -> tuple[int, int]:
    """Index and score of the row among the first ``limit`` that names the most schema columns."""
    best, score = 0, -1
    for i, cells in enumerate(rows[:limit]):
        s = header_score(cells, schema)
        if s > score:
            best, score = i, s
    return best, score


def skip_kinds(raw: pd.DataFrame, key_columns: Iterable[str] = ()) -> np.ndarray:
    """'' for a record, else ``blank``, ``total`` or ``footer`` for each row (linear).

    A total row names 合计/小计/总计/Total in its first cells or in one of ``key_columns``
    (name, id, 序号); a footer row has a single non-blank cell such as ``填报人：张三``.
    """
    n = len(raw)
    kinds = np.full(n, "", dtype=object)
    if n == 0:
        return kinds
    blank = np.column_stack([is_blank(raw[c]) for c in raw.columns]) if len(raw.columns) else np.ones((n, 1), bool)
    kinds[blank.all(axis=1)] = "blank"
    cols = list(dict.fromkeys([c for c in key_columns if c in raw.columns] + list(raw.columns[:3])))
    for c in cols:
        t = texts(raw[c])
        hit = t.str.match(TOTAL).to_numpy(bool) & (kinds == "")
        kinds[hit] = "total"
    single = (~blank).sum(axis=1) == 1
    for i in np.flatnonzero(single & (kinds == "")):
        cell = next(text(v) for v in raw.iloc[i] if text(v))
        if FOOTER.match(cell):
            kinds[i] = "footer"
    return kinds


class Rejects:
    """The first reason each row is rejected: ``add(i, column, value, why)``."""

    def __init__(self, source_rows, row_label: str = "row"):
        self.rows = np.asarray(source_rows)
        self.label = row_label
        self.reason: dict[int, tuple[str, str, str]] = {}

    def add(self, i: int, column: str, value, why: str) -> None:
        i = int(i)
        if i not in self.reason:
            self.reason[i] = (column, text(value)[:200], f"{self.label} {self.rows[i]}: {why}")

    def __contains__(self, i) -> bool:
        return int(i) in self.reason

    def mask(self, n: int) -> np.ndarray:
        m = np.zeros(n, bool)
        m[list(self.reason)] = True
        return m


#: Examples of cells a numeric column reads, by dimension (quoted in rejects).
EXAMPLES = {"tariff": "0.65, 0.65元, 0.65元/kWh or 0.65元/度", None: "1500, 约1500, 1,500 or 0.6万"}


def numbers(values: pd.Series, f: Field, rejects: Rejects, notes: list[list[str]], factor: float = 1.0,
            percent_ok: bool = False, defaulted: list[list[str]] | None = None) -> np.ndarray:
    """Parse a numeric column; blank -> NaN; bad text and out-of-range values rejected (linear).

    Plain numbers go through one vectorised conversion; only cells written with units, 约, 万,
    commas or full-width digits go through :func:`solarplan.core.quantity.parse_value`.
    ``percent_ok``: a value in (1, 100] outside the range is read as a percentage.
    ``defaulted``: per row, the columns left to their default; when given and the field has a
    ``fallback``, text that is not a value (``待定``, ``按实际``) is read as blank, noted and named
    there instead of rejecting the row. A number outside the range is still rejected: it states
    something wrong (a tariff of 65 written in 分), not "unknown".
    """
    n = len(values)
    v = values.reset_index(drop=True)
    if v.dtype.kind in "fiu":
        out = v.to_numpy(float) * factor
        slow = np.zeros(n, bool)
    else:
        out = pd.to_numeric(v, errors="coerce").to_numpy(float) * factor
        blank = is_blank(v)
        slow = ~blank & ~np.isfinite(out)
        out[blank] = np.nan
    for i in np.flatnonzero(slow):
        raw = v.iloc[i]
        try:
            if f.kind == "coord":
                x, approx = parse_coordinate(raw), False
            else:
                p = parse_value(raw, f.dimension, factor)
                x, approx = p.value, p.approximate
        except QuantityError:
            if f.fallback and defaulted is not None:
                notes[i].append(f"{f.name} {text(raw)!r} is not a number: {f.fallback} used")
                defaulted[i].append(f.name)
                out[i] = np.nan
                continue
            example = "110°25'33\" or 110.4258" if f.kind == "coord" else \
                EXAMPLES.get(f.dimension, "1500, 约1500, 1,500, 4200㎡ or 0.6万")
            rejects.add(i, f.name, raw, f"{f.name} is {text(raw)!r}, not a number; it must be a number such as "
                                        f"{example}")
            out[i] = np.nan
            continue
        if not math.isfinite(x):
            rejects.add(i, f.name, raw, f"{f.name} is {text(raw)!r}, not a finite number")
            x = np.nan
        elif approx:
            notes[i].append(f"{f.name} approximate ({text(raw)})")
        out[i] = x
    ok = np.isfinite(out)
    with np.errstate(invalid="ignore"):
        inside = (out >= f.lo if f.lo_inclusive else out > f.lo) & (out <= f.hi)
    for i in np.flatnonzero(ok & ~inside):
        x = out[i]
        if percent_ok and 1 < x <= 100:
            out[i] = x / 100.0
            notes[i].append(f"{f.name} read as a percentage")
            continue
        if math.isinf(f.hi):
            why = f"{f.name} must be {'>=' if f.lo_inclusive else '>'} {f.lo:g}, got {x:g}"
        else:
            why = (f"{f.name} = {x:g} is outside the accepted range "
                   f"{'[' if f.lo_inclusive else '('}{f.lo:g}, {f.hi:g}]")
        rejects.add(i, f.name, v.iloc[i], why)
        out[i] = np.nan
    return out


def words(values: pd.Series, parse: Callable[[str], str], name: str, rejects: Rejects, notes: list[list[str]],
          default: str | None = None, default_note: str = "", fallback: str = "",
          defaulted: list[list[str]] | None = None) -> list:
    """Map a column of words through ``parse`` once per distinct word (linear); blank -> ``default``.

    ``fallback`` and ``defaulted`` as in :func:`numbers`: a word that cannot be read becomes ``default``
    with a note instead of rejecting the row."""
    t = texts(values.reset_index(drop=True))
    cache: dict[str, tuple[str | None, str]] = {}
    out = []
    for i, w in enumerate(t):
        if not w:
            out.append(default)
            if default_note:
                notes[i].append(default_note)
            continue
        if w not in cache:
            try:
                cache[w] = (parse(w), "")
            except (ValueError, InputError) as exc:
                cache[w] = (None, str(exc))
        val, err = cache[w]
        if err and fallback and defaulted is not None:
            notes[i].append(f"{name} {w!r} not understood: {fallback} used")
            defaulted[i].append(name)
            val = default
        elif err:
            rejects.add(i, name, w, err)
        out.append(val)
    return out


def skipped_frame(kinds: np.ndarray, raw: pd.DataFrame, source_rows, source_file: str) -> pd.DataFrame:
    """The rows that are not records, with what they were (``blank``, ``total``, ``footer``)."""
    idx = np.flatnonzero(kinds != "")
    rows = np.asarray(source_rows)
    first = [" | ".join(t for t in (text(x) for x in raw.iloc[i]) if t)[:80] for i in idx]
    return pd.DataFrame({"source_file": source_file, "source_row": rows[idx].astype(int) if len(idx) else [],
                         "kind": kinds[idx], "text": first}, columns=SKIP_COLUMNS)


def summary_line(n_input: int, n_clean_rows: int, n_rejected: int, skipped: pd.DataFrame, noun: str = "rows") -> str:
    """``N rows read: a clean + b rejected + c skipped (totals, blank) = N``."""
    kinds = skipped["kind"].value_counts() if len(skipped) else pd.Series(dtype=int)
    parts = ", ".join(f"{int(kinds[k])} {label}" for k, label in
                      (("total", "totals"), ("blank", "blank"), ("footer", "footer")) if k in kinds)
    c = len(skipped)
    total = n_clean_rows + n_rejected + c
    return (f"{n_input} {noun} read: {n_clean_rows} clean + {n_rejected} rejected + {c} skipped"
            f"{f' ({parts})' if parts else ''} = {total}{'' if total == n_input else ' (MISMATCH)'}")
