#!/usr/bin/env python3
"""Builds regional_economy.csv (one row per region, 2024) from the long table
regional_data.csv, so that the model reads one plain row per region and every
value keeps the id of the row it came from.

usage: python3 tools/regional_economy.py [DATA_DIR]   (default: the folder above)
With --check, exits 1 if regional_economy.csv differs from what it would write.
"""
import csv
import io
import os
import sys

COLUMNS = [
    # (output column, topic, period, start of the description)
    ("employed_thousands", "employment", "2024", "employed population, total"),
    ("employed_agriculture_persons", "employment", "2024", "employed in agriculture"),
    ("employed_industry_construction_persons", "employment", "2024", "employed in industry AND"),
    ("employed_services_persons", "employment", "2024", "employed in services"),
    ("grp_mkzt", "GRP_by_sector", "2024", "gross regional product (total)"),
]
# Employment by region in single sections, derived from BNS value added and
# labour productivity (regional_labour.csv).
SECTIONS = [
    ("employed_construction_persons", "construction"),
    ("employed_trade_persons", "trade"),
    ("employed_hospitality_persons", "hospitality"),
]


# The month whose national subsistence minimum sets the level.
LEVEL_PERIOD = "2024-07"


def subsistence_minimum(folder, rows, regions):
    """Each region's subsistence minimum relative to the national one of the
    same month, averaged over the months found (BNS, 2024-2025), times the
    national minimum of LEVEL_PERIOD; the national value where no month was
    found."""
    with open(os.path.join(folder, "living_costs.csv"), newline="", encoding="utf-8") as f:
        found = [r for r in csv.DictReader(f) if r["topic"] == "subsistence_minimum"]
    found += [r for r in rows if r["topic"] == "subsistence_minimum"]
    by = {}
    for r in found:
        by.setdefault(r["region"], {})[r["period"]] = (float(r["value"]), r["id"])
    national = by["KZ"]
    minimum, basis = {}, {}
    for code in regions:
        ratios = [(v / national[p][0], i) for p, (v, i) in sorted(by.get(code, {}).items())
                  if p in national]
        level = national[LEVEL_PERIOD][0]
        if ratios:
            index = sum(x for x, _ in ratios) / len(ratios)
            basis[code] = "index %.3f over %d months (%s)" % (
                index, len(ratios), " ".join(i for _, i in ratios))
        else:
            index = 1.0
            basis[code] = "not found: national value (assumption)"
        minimum[code] = level * index
    return minimum, basis


def build(folder):
    with open(os.path.join(folder, "regional_data.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(folder, "kz_regions.csv"), newline="", encoding="utf-8") as f:
        regions = [r["code"] for r in csv.DictReader(f)]
    table = {code: {} for code in regions}
    ids = {code: [] for code in regions}
    labour_ids = {code: [] for code in regions}
    for name, topic, period, start in COLUMNS:
        for r in rows:
            if r["topic"] == topic and r["period"] == period and r["description"].startswith(start):
                if r["region"] in table:
                    if name in table[r["region"]]:
                        sys.exit(f"two rows for {r['region']} {name}")
                    table[r["region"]][name] = r["value"]
                    ids[r["region"]].append(r["id"])
    with open(os.path.join(folder, "regional_labour.csv"), newline="", encoding="utf-8") as f:
        labour = list(csv.DictReader(f))
    for name, sector in SECTIONS:
        for r in labour:
            if (r["topic"] == "employment_by_sector" and r["sector"] == sector
                    and r["period"] == "2024" and r["unit"] == "persons" and r["region"] in table):
                table[r["region"]][name] = r["value"]
                labour_ids[r["region"]].append(r["id"])
    minimum, basis = subsistence_minimum(folder, rows, regions)
    for code in regions:
        table[code]["subsistence_minimum_kzt"] = "%.0f" % minimum[code]
        table[code]["subsistence_basis"] = basis[code]
    names = [c[0] for c in COLUMNS] + [s[0] for s in SECTIONS] + [
        "subsistence_minimum_kzt", "subsistence_basis"]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["code"] + names + ["source"])
    for code in regions:
        missing = [n for n in names if n not in table[code]]
        if missing:
            sys.exit(f"{code}: no value for {', '.join(missing)}")
        w.writerow([code] + [table[code][n] for n in names] +
                   ["regional_data.csv " + " ".join(ids[code]) + "; regional_labour.csv " +
                    " ".join(labour_ids[code]) + " (BNS, 2024; see SOURCES.md)"])
    return out.getvalue()


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    folder = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    text = build(folder)
    target = os.path.join(folder, "regional_economy.csv")
    if "--check" in sys.argv:
        with open(target, encoding="utf-8") as f:
            sys.exit(0 if f.read() == text else 1)
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
