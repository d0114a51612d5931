"""The web page in a real browser, on loopback: page weight and time to first result; the README's screenshots.

Starts `eligibility serve` (no access log) on a free 127.0.0.1 port in a child
process and drives Debian's chromium (headless, /usr/bin/chromium) with Playwright:

- page weight: bytes transferred (headers and bodies, as the browser counts them)
  for the first view of `/` with an empty cache, per resource and in total; and for
  the first result (the result page itself: its assets are cached by then);
- time to first result: a person's path, measured in the browser — the form filled
  by its labels, 查询 clicked, and the navigation it starts timed by the browser's
  Navigation Timing (from the click's navigation start to responseEnd, to
  DOMContentLoaded and to load), over `--runs` fresh contexts; medians and spread;
- with `--screenshots DIR`: the pages as the README shows them.

Figures are printed, never asserted (tests do not time).

    python benchmarks/web.py [--runs 20] [--screenshots docs]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and benchmarks/http.py shadows
# the standard library's `http` package (which urllib imports): drop the folder.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

import argparse  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from typing import Any  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
ROSTER = REPO / "examples" / "roster.csv"
CHROMIUM = os.environ.get("ELIGIBILITY_CHROMIUM", "/usr/bin/chromium")
SHOWCASE = (  # granted, needing information and a near miss at once
    "/?id=A1&region=aksu&degree=master&introduction=full_time&service_start_date=2019-03-01"
    "&bought_home_in_region=true&programmes=none&as_of=2025-06-01"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "eligibility", "serve", "--port", str(port), "--no-access-log"]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1):
                return process, url
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise SystemExit("the server did not start") from None
            time.sleep(0.1)


def transferred(responses: list[Any]) -> list[tuple[str, int, int]]:
    """(path, bytes transferred, body bytes after decoding) of each response the browser received."""
    rows = []
    for response in responses:
        sizes = response.request.sizes()
        on_wire = sizes["responseHeadersSize"] + sizes["responseBodySize"]
        rows.append((response.url.split("/", 3)[-1][:60] or "/", on_wire, len(response.body())))
    return rows


def fill_and_check(page: Any) -> None:
    """What a person does: the form by its labels, then 查询."""
    form = page.locator("form.profile")
    form.get_by_label("地区", exact=True).select_option(label="阿克苏地区")
    form.get_by_label("学历", exact=True).select_option(label="博士")
    form.get_by_label("引进方式", exact=True).select_option(label="全职引进")
    form.get_by_label("本地工作起始日期", exact=True).fill("2019-03-01")
    form.get_by_label("是否在本地购房", exact=True).select_option(label="是")
    form.get_by_label("评估日期", exact=True).fill("2025-06-01")
    form.get_by_role("button", name="查询", exact=True).click()
    page.locator("#granted .amount").first.wait_for()


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    return (
        f"median {statistics.median(ordered):6.1f} ms   min {ordered[0]:6.1f}   "
        f"p90 {ordered[int(0.9 * (len(ordered) - 1))]:6.1f}   max {ordered[-1]:6.1f}"
    )


def measure(browser: Any, url: str, runs: int) -> None:
    context = browser.new_context(locale="zh-CN", base_url=url)
    page = context.new_page()
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    page.goto("/")
    page.wait_for_load_state("load")
    first_view = transferred(responses)
    responses.clear()
    fill_and_check(page)
    page.wait_for_load_state("load")
    first_result = transferred(responses)
    context.close()

    print("First view of / (empty cache): bytes transferred, headers included (body as decoded)")
    for path, on_wire, body in first_view:
        print(f"  {on_wire:>8,}  ({body:>7,})  {path}")
    print(f"  {sum(row[1] for row in first_view):>8,}  total, {len(first_view)} requests")
    print("First result (the form submitted; its assets already cached):")
    for path, on_wire, body in first_result:
        print(f"  {on_wire:>8,}  ({body:>7,})  {path}")

    to_response, to_ready, to_load, clicked_to_shown = [], [], [], []
    for _ in range(runs):
        context = browser.new_context(locale="zh-CN", base_url=url)
        page = context.new_page()
        page.goto("/")
        started = time.perf_counter()
        fill_and_check(page)
        clicked_to_shown.append((time.perf_counter() - started) * 1000)
        page.wait_for_load_state("load")
        timing = page.evaluate(
            "(() => { const n = performance.getEntriesByType('navigation')[0];"
            " return [n.responseEnd, n.domContentLoadedEventEnd, n.loadEventEnd]; })()"
        )
        to_response.append(timing[0])
        to_ready.append(timing[1])
        to_load.append(timing[2])
        context.close()
    print(f"Time to first result, in the browser ({runs} fresh contexts; from the submit's navigation start):")
    print(f"  response received     {spread(to_response)}")
    print(f"  DOMContentLoaded      {spread(to_ready)}")
    print(f"  load                  {spread(to_load)}")
    print(
        f"  form filled by label and submitted, until the amount shows (Playwright, wall clock): {spread(clicked_to_shown)}"
    )


def screenshots(browser: Any, url: str, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for language, name in (("zh-CN", "web-check-zh.png"), ("en-US", "web-check-en.png")):
        context = browser.new_context(locale=language, base_url=url, viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        page.goto(SHOWCASE)
        page.screenshot(path=str(directory / name))
        context.close()
    context = browser.new_context(locale="zh-CN", base_url=url, viewport={"width": 794, "height": 1123})
    page = context.new_page()
    page.goto(SHOWCASE)
    page.emulate_media(media="print")
    page.screenshot(path=str(directory / "web-print-zh.png"))
    context.close()
    context = browser.new_context(locale="en-US", base_url=url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/rules?q=housing&region=aksu")
    page.screenshot(path=str(directory / "web-rules-en.png"))
    context.close()
    context = browser.new_context(locale="zh-CN", base_url=url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto("/roster")
    page.get_by_label("名单文件").set_input_files(ROSTER)
    page.get_by_label("评估日期").fill("2025-06-01")
    page.get_by_role("button", name="开始评分").click()
    page.locator("#summary-rows").wait_for(timeout=60_000)
    page.screenshot(path=str(directory / "web-roster-zh.png"))
    context.close()
    print(f"Screenshots in {directory}: " + ", ".join(sorted(path.name for path in directory.glob("web-*.png"))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--screenshots", type=Path, help="write the README's screenshots here")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    process, url = start_server()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            print(f"chromium {browser.version}, server {url}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
            measure(browser, url, options.runs)
            if options.screenshots:
                screenshots(browser, url, options.screenshots)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
