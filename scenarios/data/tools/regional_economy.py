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
    ("gva_agriculture_mkzt", "GRP_by_sector", "2024", "gross value added, section A"),
    ("gva_mining_mkzt", "GRP_by_sector", "2024", "gross value added, section B"),
    ("gva_manufacturing_mkzt", "GRP_by_sector", "2024", "gross value added, section C"),
    ("gva_construction_mkzt", "GRP_by_sector", "2024", "gross value added, section F"),
    ("gva_trade_mkzt", "GRP_by_sector", "2024", "gross value added, section G"),
    ("grp_mkzt", "GRP_by_sector", "2024", "gross regional product (total)"),
]


def build(folder):
    with open(os.path.join(folder, "regional_data.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(folder, "kz_regions.csv"), newline="", encoding="utf-8") as f:
        regions = [r["code"] for r in csv.DictReader(f)]
    table = {code: {} for code in regions}
    ids = {code: [] for code in regions}
    for name, topic, period, start in COLUMNS:
        for r in rows:
            if r["topic"] == topic and r["period"] == period and r["description"].startswith(start):
                if r["region"] in table:
                    if name in table[r["region"]]:
                        sys.exit(f"two rows for {r['region']} {name}")
                    table[r["region"]][name] = r["value"]
                    ids[r["region"]].append(r["id"])
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["code"] + [c[0] for c in COLUMNS] + ["source"])
    for code in regions:
        missing = [c[0] for c in COLUMNS if c[0] not in table[code]]
        if missing:
            sys.exit(f"{code}: no value for {', '.join(missing)}")
        w.writerow([code] + [table[code][c[0]] for c in COLUMNS] +
                   ["regional_data.csv rows " + " ".join(ids[code]) +
                    " (BNS dynamic tables, 2024; see SOURCES.md)"])
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
