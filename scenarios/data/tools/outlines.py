#!/usr/bin/env python3
"""Makes outlines.csv, the country outlines of the report's map, from the
Natural Earth TopoJSON of the `world-atlas` npm package (public domain data,
ISC-licensed packaging). Run it only to refresh the file; the build reads the
CSV and never needs npm.

    cd "$(mktemp -d)" && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python3 scenarios/data/tools/outlines.py package/countries-50m.json > scenarios/data/outlines.csv

Every country with land inside the map's box (longitude 34..92 E, latitude
36..58 N) is kept: its rings are decoded from the topology's arcs, clipped
to the box (Sutherland-Hodgman), simplified (Douglas-Peucker, 0.03 degrees
for Kazakhstan, 0.06 for the others) and rounded to 0.001 degrees. One row
per ring: the points are "lon lat" pairs separated by ';'.
"""
import json
import sys

WEST, EAST, SOUTH, NORTH = 34.0, 92.0, 36.0, 58.0
KAZAKHSTAN = "398"


def decode_arcs(topology):
    scale = topology["transform"]["scale"]
    shift = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale[0] + shift[0], y * scale[1] + shift[1]))
        arcs.append(points)
    return arcs


def ring(arcs, indices):
    points = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def clip(points):
    """Sutherland-Hodgman against the box, edge by edge."""
    edges = [
        (lambda p: p[0] >= WEST, lambda p, q: cut_x(p, q, WEST)),
        (lambda p: p[0] <= EAST, lambda p, q: cut_x(p, q, EAST)),
        (lambda p: p[1] >= SOUTH, lambda p, q: cut_y(p, q, SOUTH)),
        (lambda p: p[1] <= NORTH, lambda p, q: cut_y(p, q, NORTH)),
    ]
    for inside, cut in edges:
        if not points:
            break
        out = []
        previous = points[-1]
        for p in points:
            if inside(p):
                if not inside(previous):
                    out.append(cut(previous, p))
                out.append(p)
            elif inside(previous):
                out.append(cut(previous, p))
            previous = p
        points = out
    return points


def cut_x(p, q, x):
    t = (x - p[0]) / (q[0] - p[0])
    return (x, p[1] + t * (q[1] - p[1]))


def cut_y(p, q, y):
    t = (y - p[1]) / (q[1] - p[1])
    return (p[0] + t * (q[0] - p[0]), y)


def simplify(points, tolerance):
    """Douglas-Peucker on an open polyline (iterative)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (x1, y1), (x2, y2) = points[a], points[b]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        best, index = 0.0, None
        for i in range(a + 1, b):
            x, y = points[i]
            d = abs(dy * (x - x1) - dx * (y - y1)) / norm if norm else ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack += [(a, index), (index, b)]
    return [p for p, k in zip(points, keep) if k]


def main():
    topology = json.load(open(sys.argv[1], encoding="utf-8"))
    arcs = decode_arcs(topology)
    print("country,name,ring,points,source")
    source = "Natural Earth 1:50m admin-0 (public domain) via world-atlas 2.0.2; see SOURCES.md"
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        code = geometry.get("id", "")
        name = geometry.get("properties", {}).get("name", "").replace(",", "")
        tolerance = 0.03 if code == KAZAKHSTAN else 0.06
        count = 0
        for polygon in polygons:
            for indices in polygon[:1]:  # outer rings only: holes are lakes too small to show
                points = clip(ring(arcs, indices))
                if len(points) < 4:
                    continue
                closed = points + [points[0]]
                points = simplify(closed, tolerance)[:-1]
                if len(points) < 3:
                    continue
                xs = [p[0] for p in points]
                ys = [p[1] for p in points]
                if (max(xs) - min(xs)) * (max(ys) - min(ys)) < 0.01:
                    continue  # islets
                text = ";".join(f"{x:.3f} {y:.3f}" for x, y in points)
                print(f"{code},{name},{count},{text},{source}")
                count += 1


if __name__ == "__main__":
    main()
