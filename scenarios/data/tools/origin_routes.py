#!/usr/bin/env python3
"""Builds origin_areas.csv and routes.csv, the model's plain tables of the
origins' sub-national areas and of the routes into Kazakhstan, from the
sourced long tables origin_areas_sources.csv, routes_sources.csv and
labour_migration.csv. Every output row names the rows it came from.

Area weights (each origin's migrants are drawn from its areas in
proportion):
  - Uzbekistan: labour migrants abroad by region of origin (2020 release,
    labour_migration.csv LM023-LM032) for the 10 regions listed; the other 4
    share the rest of the 2 million total of the same release in proportion
    to their population (1 Oct 2025).
  - Kyrgyzstan: the same from the 2018 release (LM066-LM071, total 750,000),
    the other areas by their 2015 population estimates.
  - Tajikistan, Russia (its regions bordering Kazakhstan), China (Xinjiang):
    population, as no breakdown of migrants by area was found.
Routes: every crossing or air route with coordinates; a crossing without
its own coordinates takes those of another crossing of the same origin in
the same region (Tajik transit through Uzbekistan uses Konysbayev, the
checkpoint designated for it); Russian crossings without coordinates take
the centre of the Kazakh region they open into (an approximation).

usage: python3 tools/origin_routes.py [DATA_DIR] [--check]
"""
import csv
import io
import os
import sys

UZB_TOTAL = 2000000  # "over 2 million" labour migrants abroad, 2020 release
KGZ_TOTAL = 750000   # 2018 release

AREA_NAMES = {  # labour_migration.csv names -> area codes
    "Samarkand region": "UZ-SA", "Fergana region": "UZ-FA", "Kashkadarya region": "UZ-QA",
    "Surkhandarya region": "UZ-SU", "Khorezm region": "UZ-XO", "Andijan region": "UZ-AN",
    "Tashkent region": "UZ-TO", "Tashkent city": "UZ-TK", "Bukhara region": "UZ-BU",
    "Jizzakh region": "UZ-JI", "Batken region": "KG-B", "Jalal-Abad region": "KG-J",
    "Osh region": "KG-O", "Chuy region": "KG-C",
}


def read(folder, name):
    with open(os.path.join(folder, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def areas(folder):
    rows = read(folder, "origin_areas_sources.csv")
    migration = read(folder, "labour_migration.csv")
    table = {}
    for r in rows:
        code = r["area_code"]
        if "-" not in code:
            continue  # national rows
        a = table.setdefault(code, {"origin": r["origin"], "name": r["area"], "ids": []})
        if r["topic"] in ("centre_lat", "centre_lon"):
            a[r["topic"]] = r["value"]
            a["ids"].append(r["id"])
        elif r["topic"] == "population_total" and r["value"]:
            # Uzbekistan 1 Oct 2025; Kyrgyzstan the complete 2015 set; else the row found
            keep = {"UZB": "2025-10-01", "KGZ": "2015 (est.)"}.get(r["origin"])
            if keep is None or r["period"] == keep:
                if "population" not in a or keep is not None:
                    a["population"] = float(r["value"])
                    a["population_id"] = r["id"]
    migrants = {}
    for r in migration:
        if r["topic"] == "migrants_by_origin_region" and r["area"] in AREA_NAMES and \
                r["period"].startswith(("2020", "2018")) and r["id"] != "LM036":
            migrants[AREA_NAMES[r["area"]]] = (float(r["value"]), r["id"])
    for origin, total in (("UZB", UZB_TOTAL), ("KGZ", KGZ_TOTAL)):
        known = sum(v for c, (v, _) in migrants.items() if table[c]["origin"] == origin)
        others = [c for c, a in table.items() if a["origin"] == origin and c not in migrants]
        people = sum(table[c]["population"] for c in others)
        for c, a in table.items():
            if a["origin"] != origin:
                continue
            if c in migrants:
                a["weight"], a["basis"] = migrants[c][0], "labour migrants from the area (%s)" % migrants[c][1]
            else:
                a["weight"] = (total - known) * a["population"] / people
                a["basis"] = "rest of the %d total by population (%s)" % (total, a["population_id"])
    for a in table.values():
        if "weight" not in a:
            a["weight"], a["basis"] = a["population"], "population (%s)" % a["population_id"]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["origin", "code", "name", "lat", "lon", "population", "basis", "source"])
    for code, a in table.items():
        w.writerow([a["origin"], code, a["name"], a["centre_lat"], a["centre_lon"],
                    "%.0f" % a["weight"], a["basis"],
                    "origin_areas_sources.csv " + " ".join(a["ids"])])
    return out.getvalue()


def routes(folder):
    rows = read(folder, "routes_sources.csv")
    with open(os.path.join(folder, "kz_regions.csv"), newline="", encoding="utf-8") as f:
        centres = {r["code"]: (r["lat"], r["lon"]) for r in csv.DictReader(f)}
    table = {}
    for r in rows:
        t = table.setdefault(r["route_id"], {"origin": r["origin"], "mode": r["mode"],
                                             "region": r["kz_region"][:3], "ids": []})
        if r["attribute"] in ("kz_side_lat", "kz_side_lon", "foreign_side_lat", "foreign_side_lon"):
            t[r["attribute"]] = r["value"]
            t["ids"].append(r["id"])
    # Tajik transit through Uzbekistan enters at Konysbayev.
    konysbayev = table["UZB_KONYSBAYEV"]
    table["TJK_TRANSIT_UZ"].update({k: konysbayev[k] for k in ("kz_side_lat", "kz_side_lon")})
    table["TJK_TRANSIT_UZ"]["ids"] += konysbayev["ids"]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "origin", "mode", "kz_region", "kz_lat", "kz_lon", "abroad_lat",
                "abroad_lon", "basis", "source"])
    for rid, t in table.items():
        if rid.endswith("_ALL") or t["region"] not in centres:
            continue  # summaries of a whole border, or no single region
        mode = "air" if t["mode"].startswith("air") else "rail" if t["mode"].startswith("rail") else "road"
        basis = "coordinates of the crossing or the nearest town"
        if "kz_side_lat" not in t:
            same = [o for o in table.values() if o is not t and o["origin"] == t["origin"]
                    and o["region"] == t["region"] and "kz_side_lat" in o and o["mode"] == t["mode"]]
            if t["origin"] == "RUS":
                t["kz_side_lat"], t["kz_side_lon"] = centres[t["region"]]
                basis = "no coordinates: the centre of the region it opens into"
            elif same:
                continue  # another crossing of the origin already serves the region
            else:
                continue
        w.writerow([rid, t["origin"], mode, t["region"], t["kz_side_lat"], t["kz_side_lon"],
                    t.get("foreign_side_lat", ""), t.get("foreign_side_lon", ""), basis,
                    "routes_sources.csv " + " ".join(t["ids"]) if t["ids"] else
                    "routes_sources.csv (route " + rid + ")"])
    return out.getvalue()


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    folder = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    stale = False
    for name, text in (("origin_areas.csv", areas(folder)), ("routes.csv", routes(folder))):
        path = os.path.join(folder, name)
        if "--check" in sys.argv:
            with open(path, encoding="utf-8") as f:
                stale |= f.read() != text
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    sys.exit(1 if stale else 0)


if __name__ == "__main__":
    main()
