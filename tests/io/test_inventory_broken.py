"""A corpus of broken inventories: each gives a clear error or a rejects row, never a crash or a silent drop."""
from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from solarplan.app.cli import main
from solarplan.core.errors import InputError
from solarplan.app.pipeline import read_inventory

GOOD = "S1,school,flat_roof,32.60,110.80,1000\n"
HEAD = "site_id,category,surface_type,lat,lon,area_m2\n"


def raw(name, data):
    def make(p):
        (p / name).write_bytes(data)
        return p / name
    return make


def csv(text, enc="utf-8"):
    return raw("inv.csv", text.encode(enc))


def wkt_csv(*wkts):
    rows = "".join(f'S{i},school,flat_roof,"{w}"\n' for i, w in enumerate(wkts))
    return csv("site_id,category,surface_type,geometry\n" + rows)


def geojson(features):
    def make(p):
        (p / "inv.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        return p / "inv.geojson"
    return make


def feat(geom, sid="S1"):
    return {"type": "Feature", "properties": {"site_id": sid, "category": "agency"}, "geometry": geom}


def shp_no_prj(p):
    gpd.GeoDataFrame({"site_id": ["S1"]}, geometry=[shapely.box(500000, 3600000, 500050, 3600050)]) \
        .to_file(p / "roofs.shp")
    for f in p.glob("roofs.prj"):
        f.unlink()
    return p / "roofs.shp"


SQUARE = [[[110.8, 32.6], [110.801, 32.6], [110.801, 32.601], [110.8, 32.601], [110.8, 32.6]]]
BOWTIE = "POLYGON ((110.8 32.6, 110.801 32.601, 110.801 32.6, 110.8 32.601, 110.8 32.6))"

# (id, file maker, expected: ("error", text in message) or ("reject", column, text in reason)
#  or ("note", text in notes))
CASES = [
    ("missing_site_id_column", csv("category,lat,lon,area_m2\nschool,32.6,110.8,100\n"), ("error", "site_id")),
    ("missing_location_columns", csv("site_id,category\nS1,school\n"), ("error", "lat, lon")),
    ("duplicate_surface_ids", csv("site_id,surface_id,lat,lon,area_m2\nS1,A,32.6,110.8,100\nS2,A,32.6,110.8,200\n"),
     ("reject", "surface_id", "duplicate surface_id")),
    ("empty_site_id", csv(HEAD + GOOD + ",school,flat_roof,32.6,110.8,100\n"), ("reject", "site_id", "empty")),
    ("empty_wkt_geometry", wkt_csv("POLYGON EMPTY"), ("reject", "geometry", "empty geometry")),
    ("null_geojson_geometry", geojson([feat(None)]), ("reject", "lat", "no geometry and no lat/lon")),
    ("self_intersecting_polygon", wkt_csv(BOWTIE), ("note", "repaired invalid polygon")),
    ("line_not_polygon", geojson([feat({"type": "LineString", "coordinates": SQUARE[0]})]),
     ("reject", "geometry", "LineString")),
    ("degenerate_zero_area", wkt_csv("POLYGON ((110.8 32.6, 110.801 32.6, 110.802 32.6, 110.8 32.6))"),
     ("reject", "geometry", "")),
    ("bad_wkt", wkt_csv("POLYGON ((110.8 32.6, oops))"), ("reject", "geometry", "not valid WKT")),
    ("swapped_lat_lon", csv(HEAD + "S1,school,flat_roof,110.80,32.60,1000\n"), ("reject", "lat", "swapped")),
    ("outside_china", csv(HEAD + "S1,school,flat_roof,48.85,2.35,1000\n"), ("reject", "lon", "outside China")),
    ("negative_area", csv(HEAD + "S1,school,flat_roof,32.6,110.8,-50\n"), ("reject", "area_m2", "outside")),
    ("zero_area", csv(HEAD + "S1,school,flat_roof,32.6,110.8,0\n"), ("reject", "area_m2", "outside")),
    ("missing_area", csv(HEAD + "S1,school,flat_roof,32.6,110.8,\n"), ("reject", "area_m2", "missing")),
    ("unknown_category", csv(HEAD + "S1,spaceport,flat_roof,32.6,110.8,100\n"), ("reject", "category", "unknown")),
    ("unknown_surface_type", csv(HEAD + "S1,school,glass_dome,32.6,110.8,100\n"),
     ("reject", "surface_type", "unknown")),
    ("text_in_numeric", csv(HEAD + "S1,school,flat_roof,32.6,110.8,big roof\n"),
     ("reject", "area_m2", "not a number")),
    ("tilt_out_of_range", csv(HEAD[:-1] + ",surface_tilt\n" + GOOD[:-1] + ",95\n"),
     ("reject", "surface_tilt", "outside")),
    # an optional column with a default: a word that is not a direction is read as blank (noted, defaulted)
    ("azimuth_gibberish", csv(HEAD[:-1] + ",surface_azimuth\n" + GOOD[:-1] + ",sideways\n"),
     ("note", "surface_azimuth 'sideways' not understood")),
    ("tilt_gibberish", csv(HEAD[:-1] + ",surface_tilt\n" + GOOD[:-1] + ",不详\n"),
     ("note", "surface_tilt '不详' is not a number")),
    ("mixed_crs_in_one_file", wkt_csv("POLYGON ((110.8 32.6, 110.801 32.6, 110.801 32.601, 110.8 32.6))",
                                      "POLYGON ((500000 3600000, 500050 3600000, 500050 3600050, 500000 3600000))"),
     ("reject", "geometry", "not longitude/latitude")),
    ("shapefile_without_crs_in_metres", shp_no_prj, ("error", "no CRS")),
    ("wrong_encoding_utf16_no_bom", raw("inv.csv", (HEAD + GOOD).encode("utf-16-le")), ("error", "encoding")),
    ("empty_text_file", raw("inv.csv", b"\n\n  \n"), ("error", "empty")),
    ("zero_byte_file", raw("inv.csv", b""), ("error", "0 bytes")),
    ("header_only", csv(HEAD), ("error", "no data rows")),
    ("two_headers_same_meaning", csv("site_id,编号,lat,lon,area_m2\nS1,S1,32.6,110.8,100\n"), ("error", "both mean")),
    ("unknown_extension", raw("inv.docx", b"PK\x03\x04 not really"), ("error", "unknown file type")),
    ("old_xls", raw("inv.xls", b"\xd0\xcf\x11\xe0 old excel"), ("error", ".xls")),
    ("corrupt_xlsx", raw("inv.xlsx", b"this is not a zip file"), ("error", "cannot be read as XLSX")),
    ("corrupt_geojson", raw("inv.geojson", b'{"type": "FeatureCollection", "features": [ {'),
     ("error", "cannot be read")),
]


@pytest.mark.parametrize("case_id,maker,expected", CASES, ids=[c[0] for c in CASES])
def test_broken_inventory(tmp_path, case_id, maker, expected):
    path = maker(tmp_path)
    if expected[0] == "error":
        with pytest.raises(InputError, match=None) as info:
            read_inventory(path)
        message = str(info.value)
        assert expected[1] in message, message
        assert str(path.name) in message or "column_map" in message
        return
    res = read_inventory(path)
    # nothing lost: every input row is either clean or rejected, exactly once
    assert len(res.clean) + len(res.rejects) == res.n_input
    if expected[0] == "reject":
        assert len(res.rejects) >= 1, res.clean
        row = res.rejects.iloc[-1]
        assert row["column"] == expected[1]
        assert expected[2] in row["reason"]
        assert row["reason"].split(":")[0] in ("line 2", "line 3", "feature 1", "row 2")
    else:
        assert expected[1] in res.clean["notes"].iloc[0]


def test_at_least_twenty_broken_cases():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case_id", ["header_only", "zero_byte_file", "missing_site_id_column"])
def test_cli_reports_one_message_without_traceback(tmp_path, capsys, case_id):
    maker = dict((c[0], c[1]) for c in CASES)[case_id]
    path = maker(tmp_path)
    code = main(["inventory", "validate", str(path), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and "Traceback" not in err


def test_cli_writes_clean_and_rejects_with_counts(tmp_path, capsys):
    p = tmp_path / "mixed.csv"
    p.write_text(HEAD + GOOD + "S2,spaceport,flat_roof,32.6,110.8,100\nS3,school,flat_roof,110.8,32.6,100\n")
    assert main(["inventory", "validate", str(p), "--out", str(tmp_path / "o"), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "3 rows read: 1 clean + 2 rejected + 0 skipped = 3" in text
    assert main(["inventory", "validate", str(p), "--out", str(tmp_path / "o")]) == 0
    assert "读入 3 行：合格 1 + 拒收 2 + 跳过 0 = 3" in capsys.readouterr().out
    rej = pd.read_csv(tmp_path / "o" / "rejects.csv")
    assert list(rej["source_row"]) == [3, 4]
    assert len(pd.read_csv(tmp_path / "o" / "surfaces_clean.csv")) == 1
