"""Write the worked-example notebooks (outputs stripped). Run: python notebooks/make_notebooks.py"""
from pathlib import Path

import nbformat as nbf

HERE = Path(__file__).parent
NB = {
    "01_demo_city_to_briefing.ipynb": [
        ("md", "# The demo city: from inventory to briefing\n\nThe synthetic Shiyan (十堰) inventory shipped with "
               "solarplan (320 institutions, 845 roofs and carports) run through every step: validation, hourly "
               "simulation on the embedded weather, economics, retrofit measures, packages, map and briefing."),
        ("code", "import tempfile\nfrom pathlib import Path\n\nimport pandas as pd\n\nimport solarplan\n\n"
                 "out = Path(tempfile.mkdtemp()) / 'demo'\nsteps = solarplan.run_demo(out, solarplan.load_config(None), "
                 "report=print)"),
        ("code", "sites = pd.read_csv(out / 'sites.csv')\npackages = pd.read_csv(out / 'packages.csv')\n"
                 "print(f\"{sites['capacity_kwp'].sum() / 1e3:,.1f} MWp, {sites['annual_ac_kwh'].sum() / 1e4:,.0f} 万kWh/yr, \"\n"
                 "      f\"{sites['annual_ac_kwh'].sum() / sites['capacity_kwp'].sum():,.0f} kWh/kWp\")\n"
                 "packages[['rank', 'package_id', 'n_sites', 'capacity_kwp', 'annual_ac_kwh', 'irr', 'score']].head(12)"),
        ("md", "Why does a package rank where it does? Each criterion's contribution is a column; they add up to "
               "the score."),
        ("code", "cols = [c for c in packages.columns if c.startswith('score_')]\n"
                 "# packages.csv rounds each score to 0.1, so the parts add up to the score within half a step each\n"
                 "assert ((packages[cols].sum(axis=1) - packages['score']).abs() <= 0.05 * (len(cols) + 1)).all()\n"
                 "packages.set_index('package_id')[cols].round(1).head(5)"),
        ("code", "retro = pd.read_csv(out / 'retrofit.csv')\n"
                 "retro[retro['counted']].groupby('measure')[['saved_electricity_kwh', 'saved_tce', 'saved_co2_t', "
                 "'saved_cny', 'capex_cny']].sum().round(0)"),
        ("code", "for f in ('map.html', 'briefing.html', 'shortlist.xlsx'):\n"
                 "    print(f, f'{(out / f).stat().st_size / 1e6:.2f} MB')"),
    ],
    "02_checking_published_claims.ipynb": [
        ("md", "# Checking published claims\n\nThe source documents make claims an engineer should test before "
               "repeating them. `solarplan.check_claim` (the function behind `solarplan check`) works out the implied "
               "W/m² and kWh/kWp, simulates the place, and gives a verdict."),
        ("code", "import solarplan\n\n"
                 "shiyan = solarplan.check_claim(area='36万m2', claim='6000万kWh', location='十堰')\n"
                 "print(shiyan.verdict, '-', shiyan.reason)\nshiyan.implied, shiyan.required_usable_share"),
        ("code", "jincheng = solarplan.check_claim(capacity='5.16MW', claim='670万千瓦时', co2='440t', location='晋城')\n"
                 "print(jincheng.verdict, '-', jincheng.reason)\njincheng.carbon"),
        ("code", "print(jincheng.mix['shares'], jincheng.station)\n"
                 "# the same claim compared with a stated roof-type mix\n"
                 "mixed = solarplan.check_claim(capacity='5.16MW', claim='670万千瓦时', location='晋城', "
                 "mix='flat_roof=0.6,pitched_roof=0.4')\nprint(mixed.verdict, '-', mixed.reason)"),
        ("md", "Shiyan: 6,000万 kWh from 36万 m² needs almost all of the gross roof area covered with flush "
               "modules. Jincheng's 1,298 kWh/kWp is compared with flat roofs (no mix stated; the check says so) "
               "and sits at the P10 edge: high but possible, with its reasons (the station is 112 km away and "
               "616 m lower, which adds to the uncertainty). 440 t of CO2 for 670万 kWh implies a tenth of any "
               "grid factor (a dropped digit)."),
    ],
    "03_retrofit_and_trusteeship.ipynb": [
        ("md", "# Retrofit savings and an energy-cost trusteeship deal\n\nFirst the measures on a few demo "
               "buildings; then a trusteeship deal shaped like the one in the source documents: 138 institutions, "
               "a CNY 22.7 m/yr baseline, a 5 % discount, CNY 17.6 m invested."),
        ("code", "import numpy as np\nimport pandas as pd\n\nimport solarplan\n"
                 "from solarplan.app.pipeline import DEMO_BUILDINGS\nfrom solarplan.core.resources import data_path\n\n"
                 "config = solarplan.load_config(None)\n"
                 "res = solarplan.read_buildings(data_path(DEMO_BUILDINGS))\n"
                 "table = solarplan.evaluate_buildings(res.clean, config)\n"
                 "print(res.summary())\n"
                 "table[table['building_id'] == 'SY0004-B1'][['measure', 'baseline_electricity_kwh', "
                 "'saved_electricity_kwh', 'saved_tce', 'saved_cny', 'capex_cny', 'simple_payback_years', 'notes']]"),
        ("code", "from retrofit.contracts import ContractTerms, package_deals\n\n"
                 "rng = np.random.default_rng(138)\nw = rng.lognormal(0, 0.8, 138)\n"
                 "per_building = pd.DataFrame({'building_id': [f'B{i}' for i in range(138)], 'package': '138 institutions',\n"
                 "    'baseline_bill_cny': 22.7e6 * w / w.sum(), 'savings_cny': 0.17 * 22.7e6 * w / w.sum(),\n"
                 "    'investment_cny': 17.6e6 * w / w.sum(), 'pv_savings_cny': 0.0, 'pv_capex_cny': 0.0})\n"
                 "terms = ContractTerms(kind='trusteeship', term_years=10, discount=0.05)\n"
                 "packages, flows, sensitivity = package_deals(per_building, terms, discount_rate=0.06, target_irr=0.08)\n"
                 "packages.T"),
        ("md", "Achieved saving assumed 17 % (the Xiaogan figure); the documents give only the 5 % the institutions "
               "keep. ESCO IRR and payback, the discount that would give the ESCO 8 %, and the sensitivity:"),
        ("code", "p = packages.iloc[0]\n"
                 "print(f\"ESCO IRR {p['esco_irr']:.1%}, payback {p['esco_payback_years']:.1f} years; \"\n"
                 "      f\"discount for 8 %: {p['solved_discount']:.2%}\")\nsensitivity"),
        ("code", "flows[['year', 'baseline_bill_cny', 'institution_pays_cny', 'institution_saving_cny', 'esco_net_cny']]"),
    ],
}

for name, cells in NB.items():
    nb = nbf.v4.new_notebook()
    nb.cells = [nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src) for kind, src in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbf.write(nb, HERE / name)
    print("wrote", name)
