"""Time-of-use (分时) electricity tariffs as data: periods, price ratios and hourly price vectors (pure).

A schedule assigns each hour of the typical year (2005 calendar, hour ``h`` =
the interval [h, h+1) local time, as the load shapes and the hourly yield) to
a period -- ``critical`` (尖峰), ``peak`` (高峰), ``flat`` (平), ``valley``
(低谷), ``deep_valley`` (深谷) -- with a price ratio to the flat period.

Chinese provincial notices apply the ratios to a *base price* (基础电价), not
to the whole retail price: funds and surcharges, the energy part of the
transmission and distribution price and the system-operation charge are
deducted first and added back unchanged. The price of hour ``h`` is therefore::

    p_h = p_flat * (1 - f + f * r_h)

with ``p_flat`` the site's flat-period (non-time-of-use) tariff [CNY/kWh],
``r_h`` the ratio of the hour's period and ``f`` the schedule's
``floating_share`` (base price / flat price). ``f = 1`` floats the whole price.

Shipped schedules (``data/tou_schedules.csv``; provenance in
``data/tou_schedule_sources.csv`` and data/README.md): ``hubei_2024``,
``henan_2024``, ``shanxi_2021``, ``sichuan_2025`` and ``flat`` (one price, the
pre-2025 assumption). A user gives their own as a CSV of the same columns
(``schedule, months, period, hours, ratio``) or in plan.toml ``[tariffs]``.

References
----------
.. [1] 湖北省发展和改革委员会, 鄂发改价管〔2024〕77号 关于完善工商业分时电价机制有关事项的通知
   (2024; periods as quoted in note 2 of State Grid Hubei's agent-purchase price tables; the
   notice itself was not read: a secondary source).
.. [2] 河南省发展和改革委员会, 豫发改价管〔2024〕283号 关于调整工商业分时电价有关事项的通知 (2024;
   periods as quoted by a price-table note; ratios are estimates).
.. [3] 山西省发展和改革委员会, 晋发改商品发〔2021〕479号 关于完善分时电价机制有关事项的通知
   (published 2022-01-05; read as a third-party transcription).
.. [4] 四川省发展和改革委员会, 川发改价格〔2025〕185号 关于进一步调整我省分时电价机制的通知 (2025;
   as quoted by a price-table note).
.. [5] 国家发展改革委, 发改价格〔2021〕1093号 关于进一步完善分时电价机制的通知 (2021): the
   national rule the provincial schedules implement (cited by [3]; not read here).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from solarplan.core.calendar import TYPICAL_YEAR
from solarplan.core.resources import data_path

#: Period names, highest price first; column suffixes of ``self_consumed_value_<period>_cny``.
PERIODS = ("critical", "peak", "flat", "valley", "deep_valley")
#: Chinese names for outputs.
PERIOD_ZH = {"critical": "尖峰", "peak": "高峰", "flat": "平段", "valley": "低谷", "deep_valley": "深谷"}
SCHEDULE_COLUMNS = ("schedule", "months", "period", "hours", "ratio")
DEFAULT_SCHEDULE = "hubei_2024"


class ScheduleError(ValueError):
    """A tariff schedule that does not cover every hour of every month exactly once, or is malformed."""


@dataclass(frozen=True)
class TouSchedule:
    """A time-of-use schedule for one province and user class.

    Attributes
    ----------
    name : str
    period_index : ndarray of int, shape (8760,)
        Index into :data:`PERIODS` of each hour of the typical year.
    ratio : ndarray of float, shape (8760,)
        Price ratio to the flat period of each hour [-].
    floating_share : float
        Share of the flat-period price the ratios apply to [-] (see the module docstring).
    meta : Mapping[str, str]
        Province, user class, effective date, document and sources.
    """

    name: str
    period_index: np.ndarray
    ratio: np.ndarray
    floating_share: float
    meta: Mapping[str, str]

    @property
    def multiplier(self) -> np.ndarray:
        """Price of each hour over the flat-period price [-], shape (8760,)."""
        return 1.0 - self.floating_share + self.floating_share * self.ratio

    def period_matrix(self) -> np.ndarray:
        """(8760, len(PERIODS)): the hour's multiplier in its period's column, 0 elsewhere.

        ``energy (sites, 8760) @ period_matrix() * flat_price`` is the value by period [CNY].
        """
        m = np.zeros((8760, len(PERIODS)))
        m[np.arange(8760), self.period_index] = self.multiplier
        return m

    def hours_by_period(self) -> dict[str, int]:
        """Hours of the year in each period."""
        counts = np.bincount(self.period_index, minlength=len(PERIODS))
        return {p: int(c) for p, c in zip(PERIODS, counts) if c}

    def price(self, flat_tariff_cny_per_kwh) -> np.ndarray:
        """Hourly price [CNY/kWh]: shape (8760,) for a scalar, (n, 8760) for n tariffs."""
        t = np.asarray(flat_tariff_cny_per_kwh, float)
        return t[..., None] * self.multiplier if t.ndim else float(t) * self.multiplier


def _ranges(text: str, lo: int, hi: int, what: str) -> list[int]:
    """``"1-6;9;11-12"`` -> integers. For hours, ``a-b`` is [a, b); for months it is inclusive."""
    out = []
    for part in str(text).replace("，", ";").replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        try:
            if "-" in part:
                a, b = (int(float(x)) for x in part.split("-", 1))
            else:
                a = b = int(float(part))
                if what == "hours":
                    b = a + 1
        except ValueError:
            raise ScheduleError(f"{what} {text!r}: {part!r} is not a number or a range like 16-18") from None
        if what == "months":
            b += 1
        if not (lo <= a < b <= hi):
            raise ScheduleError(f"{what} {text!r}: {part!r} lies outside {lo}-{hi - (what == 'months')}")
        out.extend(range(a, b))
    return out


@lru_cache(maxsize=1)
def _calendar() -> tuple[np.ndarray, np.ndarray]:
    t = pd.date_range(f"{TYPICAL_YEAR}-01-01", periods=8760, freq="h")
    return t.month.to_numpy(), t.hour.to_numpy()


def schedule_from_table(table: pd.DataFrame, name: str, floating_share: float = 1.0,
                        meta: Mapping[str, str] | None = None, where: str = "schedule") -> TouSchedule:
    """Build a schedule from rows ``months, period, hours, ratio``; every month-hour must be covered once.

    Raises
    ------
    ScheduleError
        Naming the row (``where`` row n) and the month-hours left out or given twice.
    """
    if not 0.0 <= float(floating_share) <= 1.0:
        raise ScheduleError(f"{where}: floating_share must be in [0, 1], not {floating_share}")
    missing = [c for c in ("months", "period", "hours", "ratio") if c not in table.columns]
    if missing:
        raise ScheduleError(f"{where}: missing column(s) {', '.join(missing)}; a schedule has columns "
                            f"{', '.join(SCHEDULE_COLUMNS)}")
    grid_period = np.full((12, 24), -1)
    grid_ratio = np.zeros((12, 24))
    for i, row in enumerate(table.itertuples(index=False), start=1):
        r = f"{where} row {i}"
        period = str(row.period).strip()
        if period not in PERIODS:
            raise ScheduleError(f"{r}: unknown period {period!r}; valid: {', '.join(PERIODS)}")
        try:
            ratio = float(row.ratio)
        except (TypeError, ValueError):
            raise ScheduleError(f"{r}: ratio {row.ratio!r} is not a number") from None
        if not 0.0 <= ratio <= 10.0:
            raise ScheduleError(f"{r}: ratio {ratio} outside 0-10")
        try:
            months = _ranges(row.months, 1, 13, "months")
            hours = _ranges(row.hours, 0, 24, "hours")
        except ScheduleError as exc:
            raise ScheduleError(f"{r}: {exc}") from None
        for m in months:
            for h in hours:
                if grid_period[m - 1, h] >= 0:
                    raise ScheduleError(f"{r}: month {m} hour {h}-{h + 1} is already given by an earlier row")
                grid_period[m - 1, h] = PERIODS.index(period)
                grid_ratio[m - 1, h] = ratio
    gaps = np.argwhere(grid_period < 0)
    if len(gaps):
        m, h = gaps[0]
        raise ScheduleError(f"{where}: {len(gaps)} month-hour(s) have no period, e.g. month {m + 1} hour "
                            f"{h}-{h + 1}; every hour of every month needs one row")
    month, hour = _calendar()
    pidx = grid_period[month - 1, hour]
    ratio = grid_ratio[month - 1, hour]
    pidx.setflags(write=False)
    ratio.setflags(write=False)
    return TouSchedule(name, pidx, ratio, float(floating_share), dict(meta or {}))


@lru_cache(maxsize=1)
def _shipped() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = pd.read_csv(data_path("tou_schedules.csv"), dtype=str)
    meta = pd.read_csv(data_path("tou_schedule_sources.csv"), dtype=str).fillna("")
    return rows, meta.set_index("schedule")


def shipped_schedules() -> pd.DataFrame:
    """The shipped schedules' provenance: one row per schedule (``data/tou_schedule_sources.csv``)."""
    return _shipped()[1].reset_index()


def get_schedule(name: str = DEFAULT_SCHEDULE, floating_share: float | None = None) -> TouSchedule:
    """A shipped schedule by name; ``floating_share`` overrides the shipped one."""
    rows, meta = _shipped()
    if name not in meta.index:
        raise ScheduleError(f"unknown tariff schedule {name!r}; valid: {', '.join(meta.index)} "
                            "(or give schedule_file = \"your.csv\")")
    m = meta.loc[name].to_dict()
    share = float(m["floating_share"]) if floating_share is None else float(floating_share)
    return schedule_from_table(rows[rows["schedule"] == name], name, share, m, f"data/tou_schedules.csv [{name}]")


def read_schedule_csv(path: str | Path, floating_share: float = 1.0, name: str | None = None) -> TouSchedule:
    """A user's schedule from a CSV with columns ``months, period, hours, ratio`` (``schedule`` optional:
    with several schedules in the file, ``name`` picks one)."""
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    except FileNotFoundError:
        raise ScheduleError(f"tariff schedule file {path} does not exist") from None
    if "schedule" in df.columns:
        names = list(dict.fromkeys(df["schedule"]))
        if name is None and len(names) > 1:
            raise ScheduleError(f"{path}: holds schedules {', '.join(names)}; say which with schedule = \"...\"")
        name = name or names[0]
        if name not in names:
            raise ScheduleError(f"{path}: no schedule {name!r}; it holds {', '.join(names)}")
        df = df[df["schedule"] == name]
    return schedule_from_table(df, name or path.stem, floating_share, {"source": str(path), "status": "user"},
                               str(path))


def schedule_from_rows(rows: Sequence[Mapping], floating_share: float = 1.0, name: str = "plan.toml",
                       where: str = "[tariffs] periods") -> TouSchedule:
    """A schedule from plan.toml rows: ``periods = [{ months = "1-12", period = "flat", hours = "0-24",
    ratio = 1.0 }, ...]``."""
    return schedule_from_table(pd.DataFrame(list(rows)), name, floating_share,
                               {"source": "plan.toml", "status": "user"}, where)


def value_by_period(energy_hourly_kwh: np.ndarray, flat_tariff_cny_per_kwh, schedule: TouSchedule) -> np.ndarray:
    """Value of hourly energy at the time-of-use price, by period [CNY].

    Parameters
    ----------
    energy_hourly_kwh : array (sites, 8760)
    flat_tariff_cny_per_kwh : array (sites,)

    Returns
    -------
    ndarray (sites, len(PERIODS))
    """
    e = np.atleast_2d(np.asarray(energy_hourly_kwh, float))
    return (e @ schedule.period_matrix()) * np.asarray(flat_tariff_cny_per_kwh, float).reshape(-1, 1)
