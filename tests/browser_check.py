"""Checks a report as a browser renders it: the screenshot is not blank,
every chart is in the DOM with a title and a description, and the browser
logged no console messages.

usage: browser_check.py SCREENSHOT.png DOM.html CONSOLE.log EXPECTED_CHARTS
"""
import re
import sys

from PIL import Image

png, dom_path, console_path, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
failures = []
image = Image.open(png).convert("RGB")
small = image.resize((image.width // 4, image.height // 4))
pixels = list(small.getdata())
colours = len(set(pixels))
ink = sum(1 for p in pixels if sum(p) < 600) / len(pixels)
if colours < 50:
    failures.append(f"screenshot has only {colours} colours")
if ink < 0.05:
    failures.append(f"screenshot is nearly blank ({ink:.1%} ink)")
dom = open(dom_path, encoding="utf-8").read()
charts = re.findall(r"<svg\b.*?</svg>", dom, flags=re.S)
if len(charts) != expected:
    failures.append(f"{len(charts)} charts in the DOM, expected {expected}")
for i, chart in enumerate(charts):
    if "<title" not in chart or "<desc" not in chart:
        failures.append(f"chart {i} has no <title> or <desc>")
    if len(re.findall(r"<(path|circle|rect|line)\b", chart)) < 5:
        failures.append(f"chart {i} drew almost nothing")
console = open(console_path, encoding="utf-8", errors="replace").read()
messages = [line for line in console.splitlines() if "CONSOLE" in line or "Uncaught" in line]
if messages:
    failures.append("console messages: " + "; ".join(messages[:3]))
for f in failures:
    print("FAIL: " + f)
print(f"browser_check: {0 if failures else 1} passed, {1 if failures else 0} failed "
      f"({len(charts)} charts, {colours} colours, {ink:.0%} ink)")
sys.exit(1 if failures else 0)
