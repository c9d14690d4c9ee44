"""The engine against pvlib's own ModelChain, and the pvlib.shading functions called directly."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib
import pytest
from hypothesis import given, settings, strategies as st

from solarplan.weather.qc import resolve_shift
from solarplan.weather.readers import read_weather
from solarplan.core.resources import data_path
from solarplan.pv import yieldsim
from solarplan.pv.yieldsim import (DESOTO_AM_COEFFICIENTS, IAM_MODELS, SAPM_PARAMS_BY_MOUNTING, SystemParams,
                                   ac_per_kwp, aoi_cosine, diffuse_iam, iam_ashrae_cos, iam_physical_cos,
                                   perez_components, shaded_fraction_rows, simulate, solar_geometry)

GREENSBORO = pvlib.__path__[0] + "/data/723170TYA.CSV"
CSWD = ["CHN_Hubei.Yunxi.572510_CSWD.epw", "CHN_Shanxi.Houma.539630_CSWD.epw"]


def _weather(name, weather_dir=None):
    if name == "greensboro":
        w = read_weather(GREENSBORO)
    else:
        w = read_weather(weather_dir / name)
    return resolve_shift(w, "auto")[0]


def _random_surfaces(n, seed):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "surface_tilt": rng.uniform(0, 60, n), "surface_azimuth": rng.uniform(0, 360, n),
        "mounting": rng.choice(["rows", "flush", "canopy"], n), "gcr": rng.uniform(0.3, 0.7, n),
        "capacity_kwp": rng.uniform(5, 2000, n)})


def _marion_aoi_model(iam_model):
    """A ModelChain ``aoi_model`` callable: the beam IAM as ModelChain's own, plus Marion's diffuse IAM.

    ModelChain applies its IAM to the beam only; its documented hook for another AOI model is a callable
    that sets ``results.aoi_modifier``. This one also weights ``poa_diffuse`` (sky and ground parts) by
    pvlib.iam.marion_integrate, which is how the engine's effective irradiance is defined; poa_global,
    used for the cell temperature, is left unchanged.
    """
    def aoi_model(mc):
        tilt = mc.system.arrays[0].mount.surface_tilt
        f = IAM_MODELS[iam_model]
        mc.results.aoi_modifier = f(mc.results.aoi)
        ti = mc.results.total_irrad
        iam_sky = pvlib.iam.marion_integrate(f, tilt, "sky")
        iam_gnd = pvlib.iam.marion_integrate(f, tilt, "ground")
        ti["poa_diffuse"] = ti["poa_sky_diffuse"] * iam_sky + ti["poa_ground_diffuse"] * iam_gnd
        return mc
    return aoi_model


def _modelchain_ac(weather, tilt, azimuth, mounting, capacity_kw, params):
    """AC [kW] from a pvlib ModelChain built with the engine's models and parameters."""
    loc = pvlib.location.Location(weather.latitude, weather.longitude, altitude=weather.elevation)
    temp = dict(SAPM_PARAMS_BY_MOUNTING[mounting])
    module = {"pdc0": capacity_kw, "gamma_pdc": params.gamma_pdc, **DESOTO_AM_COEFFICIENTS}
    system = pvlib.pvsystem.PVSystem(
        surface_tilt=tilt, surface_azimuth=azimuth, albedo=params.albedo,
        module_parameters=module,
        inverter_parameters={"pdc0": capacity_kw / params.dc_ac_ratio / params.eta_inv_nom,
                             "eta_inv_nom": params.eta_inv_nom},
        temperature_model_parameters=temp, losses_parameters=dict(params.losses))
    aoi = _marion_aoi_model(params.iam_model) if params.diffuse_iam else params.iam_model
    spectral = "sapm" if params.spectral_model == "desoto" else "no_loss"  # sapm = A0..A4 polynomial
    mc = pvlib.modelchain.ModelChain(system, loc, aoi_model=aoi, spectral_model=spectral,
                                     transposition_model=params.transposition, losses_model="pvwatts",
                                     dc_model="pvwatts", ac_model="pvwatts", temperature_model="sapm")
    data = weather.data.copy()
    data["wind_speed"] = np.maximum(data["wind_speed"], params.wind_floor)  # the engine's documented floor
    data.index = weather.solar_times  # ModelChain evaluates the sun at the index
    mc.run_model(data)
    return mc.results.ac.to_numpy()


@pytest.mark.parametrize("station, models", [("greensboro", {}), (CSWD[0], {}), (CSWD[1], {}),
                                             ("greensboro", dict(diffuse_iam=False, spectral_model="no_loss")),
                                             (CSWD[1], dict(iam_model="ashrae", transposition="haydavies"))])
def test_equivalence_with_modelchain(station, models, request):
    weather_dir = None if station == "greensboro" else request.getfixturevalue("weather_dir")
    weather = _weather(station, weather_dir)
    # ModelChain cannot express row shading: compared without it (tested in test_yield_physics.py)
    params = SystemParams(row_shading=False, orientation_resolution_deg=None, **models)
    surfaces = _random_surfaces(20, seed=len(station))
    res = simulate(surfaces, weather, params, hourly=True)
    for i, s in surfaces.iterrows():
        ref = _modelchain_ac(weather, s.surface_tilt, s.surface_azimuth, s.mounting, s.capacity_kwp, params)
        ours = res.hourly_per_kwp[res.surfaces.loc[i, "config_id"]].to_numpy() * s.capacity_kwp
        # annual within 0.5 % is the acceptance; the same pvlib calls give ~1e-12 in practice
        assert ours.sum() == pytest.approx(ref.sum(), rel=5e-3)
        assert res.surfaces.loc[i, "annual_ac_kwh"] == pytest.approx(ref.sum(), rel=5e-3)
        # hourly: same functions on the same inputs; allow 1e-9 relative of the capacity for float order
        np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-9 * s.capacity_kwp)


def test_row_shading_is_the_named_pvlib_view_factor_calls():
    weather = _weather("greensboro")
    params = SystemParams(orientation_resolution_deg=None)
    geom = solar_geometry(weather, params)
    tilt, az, gcr = 25.0, 170.0, 0.55
    shaded = ac_per_kwp(geom, [tilt], [az], "rows", [gcr], params)
    # the documented composition, from pvlib calls made here
    zen, saz = geom.apparent_zenith, geom.azimuth
    comp = pvlib.irradiance.perez(tilt, az, geom.dhi, geom.dni, geom.dni_extra, zen, saz, geom.airmass,
                                  return_components=True)
    beam = pvlib.irradiance.beam_component(tilt, az, zen, saz, geom.dni)
    ground = pvlib.irradiance.get_ground_diffuse(tilt, geom.ghi, albedo=geom.albedo)
    fs = pvlib.shading.shaded_fraction1d(zen, saz, az - 90.0, tilt, collector_width=1.0, pitch=1 / gcr)
    c = np.cos(np.radians(tilt))
    vf_sky = pvlib.bifacial.utils.vf_row_sky_2d_integ(tilt, gcr) / ((1 + c) / 2)
    vf_gnd = pvlib.bifacial.utils.vf_row_ground_2d_integ(tilt, gcr) / ((1 - c) / 2)
    expected = ((beam + comp["poa_circumsolar"]) * (1 - fs) + comp["poa_isotropic"] * vf_sky + ground * vf_gnd)
    np.testing.assert_allclose(shaded["poa_global"][:, 0], np.nan_to_num(expected), rtol=1e-9, atol=1e-9)
    unshaded = ac_per_kwp(geom, [tilt], [az], "rows", [gcr], SystemParams(row_shading=False))
    assert shaded["poa_global"].sum() < unshaded["poa_global"].sum()
    assert np.all(fs >= 0) and np.all(fs <= 1)


def test_default_resolution_changes_annual_energy_by_at_most_0_15_percent():
    weather = _weather("greensboro")
    surfaces = _random_surfaces(200, seed=7)
    exact = simulate(surfaces, weather, SystemParams(orientation_resolution_deg=None))
    rounded = simulate(surfaces, weather, SystemParams())
    assert SystemParams().orientation_resolution_deg == 0.1
    rel = (rounded.surfaces["annual_ac_kwh"] / exact.surfaces["annual_ac_kwh"] - 1).abs()
    # the documented bound: worst case (steep, north-facing) 0.15 %, typical 0.01 %
    assert rel.max() < 1.5e-3
    assert rel.median() < 2e-4


def test_unknown_model_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="valid: perez, haydavies"):
        SystemParams(transposition="isotropic-ish")
    with pytest.raises(ValueError, match="valid: physical, ashrae"):
        SystemParams(iam_model="martin")
    with pytest.raises(ValueError, match="soiling"):
        SystemParams(losses={"dust": 3.0})


@pytest.fixture(scope="module")
def gso():
    w = _weather("greensboro")
    return w, solar_geometry(w, SystemParams())


orientation = st.tuples(st.floats(0, 90), st.floats(0, 360), st.sampled_from(["rows", "flush", "canopy"]),
                        st.floats(0.2, 0.9))


@settings(max_examples=25, deadline=None)
@given(cfg=orientation, cap=st.floats(0.1, 1e5), k=st.floats(0.01, 100))
def test_energy_scales_linearly_with_capacity(gso, cfg, cap, k):
    w, g = gso
    s = pd.DataFrame([dict(surface_tilt=cfg[0], surface_azimuth=cfg[1], mounting=cfg[2], gcr=cfg[3],
                           capacity_kwp=cap)] * 2)
    s.loc[1, "capacity_kwp"] = cap * k
    r = simulate(s, w, geometry=g).surfaces
    assert r["annual_ac_kwh"][1] == pytest.approx(k * r["annual_ac_kwh"][0], rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(cfg=orientation)
def test_never_negative_and_below_irradiance_bound(gso, cfg):
    w, g = gso
    out = ac_per_kwp(g, [cfg[0]], [cfg[1]], cfg[2], [cfg[3]], SystemParams())
    ac = out["ac"][:, 0]
    assert np.all(ac >= 0)
    # bound: 1 kWp makes at most 1 kW per 1000 W/m2 of unshaded POA, x the temperature gain of a
    # cell below 25 C (at most 0.35 %/K x 65 K = 23 %); and never above the AC rating (1/1.2 kW)
    assert np.all(ac <= out["poa_reference"][:, 0] / 1000 * 1.23 + 1e-12)
    assert ac.max() <= 1 / 1.2 + 1e-12


@settings(max_examples=15, deadline=None)
@given(az1=st.floats(0, 360), az2=st.floats(0, 360), mounting=st.sampled_from(["flush", "canopy"]))
def test_horizontal_array_independent_of_azimuth(gso, az1, az2, mounting):
    w, g = gso
    a = ac_per_kwp(g, [0.0], [az1], mounting, [1.0], SystemParams())["ac"]
    b = ac_per_kwp(g, [0.0], [az2], mounting, [1.0], SystemParams())["ac"]
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


# --- the engine's fast forms against the pvlib functions they replace (speed, issue 16 item 5) ---------------

def test_iam_on_cos_aoi_equals_pvlib():
    aoi = np.concatenate([np.linspace(0, 89.999, 5001), [90.0, 95.0, 120.0, 180.0]])
    c = np.cos(np.radians(aoi))
    np.testing.assert_allclose(iam_physical_cos(c), pvlib.iam.physical(aoi), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(iam_ashrae_cos(c), pvlib.iam.ashrae(aoi), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("station", ["greensboro", CSWD[1]])
def test_aoi_perez_and_row_shading_equal_pvlib(station, request):
    """aoi_cosine, perez_components and shaded_fraction_rows against pvlib's own calls on every daytime hour
    (Houma's file has hours with DHI = 0 and with the sun below the horizon: NaN and 0 handling too)."""
    weather_dir = None if station == "greensboro" else request.getfixturevalue("weather_dir")
    g = solar_geometry(_weather(station, weather_dir), SystemParams())
    s = _random_surfaces(12, seed=3)
    tilt, az, gcr = (s[c].to_numpy() for c in ("surface_tilt", "surface_azimuth", "gcr"))
    zen, saz = g.apparent_zenith[:, None], g.azimuth[:, None]
    cos_aoi = aoi_cosine(g, tilt, az)
    ref = pvlib.irradiance.aoi_projection(tilt[None, :], az[None, :], zen, saz)
    np.testing.assert_allclose(cos_aoi, ref, rtol=0, atol=1e-12)
    ours = perez_components(g, cos_aoi, tilt, components=True)
    theirs = pvlib.irradiance.perez(tilt[None, :], az[None, :], g.dhi[:, None], g.dni[:, None], g.dni_extra[:, None],
                                    zen, saz, g.airmass[:, None], return_components=True)
    for k in ("poa_sky_diffuse", "poa_isotropic", "poa_circumsolar", "poa_horizon"):
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-10, atol=1e-9, equal_nan=True)
    fs = shaded_fraction_rows(g, cos_aoi, gcr)
    ref_fs = pvlib.shading.shaded_fraction1d(zen, saz, az[None, :] - 90.0, tilt[None, :], collector_width=1.0,
                                             pitch=1.0 / gcr[None, :])
    lit = (cos_aoi > 1e-6) & (g.dni[:, None] > 0)  # where the beam reaches the plane, the only place fs is used
    np.testing.assert_allclose(fs[lit], ref_fs[lit], rtol=0, atol=1e-9)


def test_marion_table_holds_marion_integrals():
    """data/marion_diffuse_iam.csv against pvlib.iam.marion_integrate recomputed here for a sample of tilts."""
    table = pd.read_csv(data_path("marion_diffuse_iam.csv"))
    assert len(table) == 901 and table["surface_tilt"].iloc[-1] == 90.0
    rows = table.iloc[[0, 1, 150, 200, 257, 450, 899, 900]]
    for name in ("physical", "ashrae"):
        for region in ("sky", "ground"):
            ref = pvlib.iam.marion_integrate(IAM_MODELS[name], rows["surface_tilt"].to_numpy(), region)
            np.testing.assert_allclose(rows[f"{name}_{region}"], ref, rtol=1e-12, atol=1e-15)
    # the engine reads a tilt on the grid from the table, and integrates any other
    sky, gnd = diffuse_iam("physical", [20.0, 20.000000000000004])
    assert sky[0] == pytest.approx(pvlib.iam.marion_integrate(pvlib.iam.physical, 20.0, "sky"), rel=1e-12)
    sky2, _ = diffuse_iam("physical", [20.05])
    assert sky2[0] == pytest.approx(pvlib.iam.marion_integrate(pvlib.iam.physical, 20.05, "sky"), rel=1e-12)


@pytest.mark.parametrize("resolution", [0.1, 1.0, None])
def test_unique_configs_groups_as_pandas_multiindex(resolution):
    """The integer-key grouping gives the groups, order of first appearance and codes of pandas'
    MultiIndex.factorize over the same four rounded columns (the reference, computed independently here),
    NaN gcr of a row included."""
    rng = np.random.default_rng(7)
    n = 5000
    s = pd.DataFrame({"surface_tilt": rng.choice([0, 10, 15.04, 33.3], n) + rng.uniform(0, 3, n).round(1),
                      "surface_azimuth": rng.choice([180, 90, 270, 200.2, 359.96], n),
                      "mounting": rng.choice(["rows", "flush", "canopy"], n),
                      "gcr": rng.choice([0.4, 0.5, np.nan], n)})
    configs, codes = yieldsim.unique_configs(s, resolution)
    tilt = s["surface_tilt"].to_numpy(float)
    az = np.mod(s["surface_azimuth"].to_numpy(float), 360.0)
    if resolution:
        tilt = np.round(tilt / resolution) * resolution
        az = np.mod(np.round(az / resolution) * resolution, 360.0)
    m = s["mounting"].astype(str).to_numpy()
    gcr = np.where(m == "rows", np.round(s["gcr"].to_numpy(float), 3), 1.0)
    ref_codes, uniq = pd.MultiIndex.from_arrays([tilt, az, m, gcr]).factorize()
    assert (codes == ref_codes).all()
    ref = uniq.to_frame(index=False)
    ref.columns = list(configs.columns)
    pd.testing.assert_frame_equal(configs, ref, check_dtype=False)


def test_row_view_factors_computed_once_per_pair_equal_pvlib():
    """Repeated (tilt, gcr) pairs are computed once; every value equals pvlib's integral divided by the open
    plane's view factor, computed here pair by pair."""
    tilt = np.array([10.0, 20.0, 10.0, 0.0, 35.5, 20.0])
    gcr = np.array([0.5, 0.5, 0.5, 0.4, 0.3, 0.6])
    sky, gnd = yieldsim.row_view_factors(tilt, gcr)
    for t, g, a, b in zip(tilt, gcr, sky, gnd):
        ct = np.cos(np.radians(t))
        assert a == pytest.approx(float(pvlib.bifacial.utils.vf_row_sky_2d_integ(t, g)) / ((1 + ct) / 2), rel=1e-12)
        ref_g = float(pvlib.bifacial.utils.vf_row_ground_2d_integ(t, g)) / ((1 - ct) / 2) if t > 0 else 0.0
        assert b == pytest.approx(ref_g, rel=1e-12, abs=1e-15)
