#!/usr/bin/env python
"""Server time and query count of the public pages on synthetic data (issue #2 item 9, issue #3 item 13).

    .venv/bin/python bench/bench_pages.py [--orgs 10000] [--contributions 10000] [--compare-small]

Each data size runs in its own child process on its own database: by default a SQLite file in
``var/bench/`` (kept, and reused while it holds the requested synthetic data), or ``DATABASE_URL`` when set
(then both sizes share it and are re-seeded in turn). The child migrates, seeds with ``seed_scale`` if
needed, and requests every page through Django's test ``Client``: the time is the server's (URL routing,
middleware, view, queries, template), without network or browser. With ``--compare-small`` the same pages
are measured at 100 organisations (and 1,000 contributions) too, and the script exits with status 1 if a
page's query count differs, since a page whose query count grows with the data will not scale.

The consultation pages (a closed consultation's page and its contributions list, filtered by CPR category
and disposition, page 2) are measured on the consultation ``seed_scale --contributions`` builds; the meeting
pages (the calendar, the page of the busiest body, the page of a held meeting with its minutes) on the
bodies and meetings ``seed_scale --bodies --meetings`` builds.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
DEFAULT_SETTINGS = "officine.settings.test"
P95_TARGET_MS = 50.0
CONSULTATION_P95_TARGET_MS = 80.0  # issue #3 item 13
MEETING_P95_TARGET_MS = 80.0  # issue #4 item 11
CONTRIBUTIONS_FILTER = "cpr_category=c&disposition=not_accepted&page=2"
SEARCH_QUERY = "inclusione"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=10_000, help="synthetic organisations (default 10000)")
    parser.add_argument(
        "--programmes", type=int, help="synthetic programmes (default: 50, fewer below 1000 orgs)"
    )
    parser.add_argument("--representatives", type=int, help="synthetic representatives (default: 3 per org)")
    parser.add_argument(
        "--contributions", type=int, help="contributions in the synthetic consultation (default 10000)"
    )
    parser.add_argument("--small-contributions", type=int, default=1000, help="with --compare-small")
    parser.add_argument("--bodies", type=int, default=500, help="synthetic bodies (default 500)")
    parser.add_argument("--meetings", type=int, default=3000, help="synthetic meetings (default 3000)")
    parser.add_argument("--small-bodies", type=int, default=20, help="with --compare-small (default 20)")
    parser.add_argument("--small-meetings", type=int, default=120, help="with --compare-small (default 120)")
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per page (default 50)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first (default 3)")
    parser.add_argument("--compare-small", action="store_true", help="also measure at --small-orgs")
    parser.add_argument("--small-orgs", type=int, default=100)
    parser.add_argument("--reseed", action="store_true", help="re-seed even if the database holds the data")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def sizes_for(orgs: int, args: argparse.Namespace) -> dict[str, int]:
    programmes = args.programmes or (50 if orgs >= 1000 else max(3, min(50, orgs // 20)))
    representatives = args.representatives if args.representatives is not None else 3 * orgs
    contributions = args.contributions if args.contributions is not None else 10_000
    return {
        "organisations": orgs,
        "programmes": programmes,
        "representatives": representatives,
        "contributions": contributions,
        "bodies": args.bodies,
        "meetings": args.meetings,
    }


# --- Child: one data size, one database ---------------------------------------------------------------


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def run_child(args: argparse.Namespace) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import warnings

    import django

    # Whitenoise warns when collectstatic has not run; static files play no part in these timings.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from officine.consultations.models import Consultation
    from officine.portal.demo.synthetic import (
        synthetic_contribution_count,
        synthetic_counts,
        synthetic_organizations,
        synthetic_programmes,
    )
    from officine.portal.demo.synthetic_meetings import synthetic_meeting_counts

    log = sys.stderr
    call_command("migrate", interactive=False, verbosity=0)
    wanted = sizes_for(args.orgs, args)
    present = {
        **synthetic_counts(),
        "contributions": synthetic_contribution_count(),
        **synthetic_meeting_counts(),
    }
    if args.reseed or present != wanted:
        print(f"Seeding {wanted} ...", file=log, flush=True)
        call_command(
            "seed_scale",
            "--clear",
            f"--organisations={wanted['organisations']}",
            f"--programmes={wanted['programmes']}",
            f"--representatives={wanted['representatives']}",
            f"--contributions={wanted['contributions']}",
            f"--bodies={wanted['bodies']}",
            f"--meetings={wanted['meetings']}",
            stdout=log,
        )
    else:
        print(f"Reusing the synthetic data already in the database: {wanted}", file=log, flush=True)

    programme = synthetic_programmes().annotate(n=Count("memberships")).order_by("-n", "pk").first()
    organization = (
        synthetic_organizations()
        .annotate(n=Count("memberships", distinct=True), r=Count("representatives", distinct=True))
        .order_by("-n", "-r", "pk")
        .first()
    )
    pages = [
        ("home", "/it/"),
        ("partner directory, page 1", "/it/partners/"),
        ("partner search (q + category c)", f"/it/partners/?q={SEARCH_QUERY}&cpr_category=c"),
        (f"programme page ({programme.n} members)", f"/it/programmes/{programme.cci}/"),
        (f"organisation page ({organization.n} programmes)", f"/it/partners/{organization.pk}/"),
    ]
    consultation = Consultation.objects.filter(programme__in=synthetic_programmes(), is_demo=True).first()
    if consultation is not None:
        n = wanted["contributions"]
        pages += [
            (f"consultation page ({n} contributions)", f"/it/consultations/{consultation.pk}/"),
            (
                "contributions (category c, not accepted, p. 2)",
                f"/it/consultations/{consultation.pk}/contributions/?{CONTRIBUTIONS_FILTER}",
            ),
        ]
    pages += meeting_pages()
    client = Client()
    results = []
    for label, url in pages:
        results.append(measure_page(client, label, url, args, CaptureQueriesContext, connection))
    return {"sizes": wanted, "database": connection.vendor, "pages": results}


def meeting_pages() -> list[tuple[str, str]]:
    """The calendar, the page of the body with the most meetings and the page of its held meeting with the
    longest agenda (with its minutes), as the public sees them."""
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import translation

    from officine.meetings.models import Meeting, MeetingState
    from officine.portal.demo.synthetic_meetings import synthetic_bodies, synthetic_meetings

    body = (
        synthetic_bodies()
        .annotate(n=Count("meetings", distinct=True), s=Count("seats", distinct=True))
        .order_by("-n", "pk")
        .first()
    )
    if body is None:
        return []
    meeting = (
        Meeting.objects.filter(body=body, state=MeetingState.HELD, minutes__isnull=False)
        .annotate(n=Count("agenda_items", distinct=True), a=Count("attendances", distinct=True))
        .order_by("-n", "-a", "pk")
        .first()
    ) or synthetic_meetings().filter(state=MeetingState.HELD).first()
    with translation.override("it"):
        pages = [
            (f"calendar ({synthetic_meetings().count()} meetings)", reverse("meetings:calendar")),
            (f"body page ({body.s} seats, {body.n} meetings)", reverse("bodies:detail", args=[body.pk])),
        ]
        if meeting is not None:
            label = f"meeting page ({meeting.n} items, {meeting.a} attending)"
            pages.append((label, reverse("meetings:detail", args=[meeting.pk])))
    return pages


def target_for(url: str) -> float:
    if "/consultations/" in url:
        return CONSULTATION_P95_TARGET_MS
    if "/meetings/" in url or "/bodies/" in url:
        return MEETING_P95_TARGET_MS
    return P95_TARGET_MS


def measure_page(client, label: str, url: str, args: argparse.Namespace, capture, connection) -> dict:
    result = {"page": label, "url": url, "target_ms": target_for(url)}
    try:
        for _ in range(args.warmup):
            response = client.get(url)
        if response.status_code != 200:
            return {**result, "error": f"HTTP {response.status_code}"}
        samples = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
        with capture(connection) as queries:
            client.get(url)
    except Exception as exc:  # the pages are built by other work streams: report, don't crash
        return {**result, "error": f"{type(exc).__name__}: {exc}"[:200]}
    return {
        **result,
        "p50_ms": statistics.median(samples),
        "p95_ms": percentile(samples, 0.95),
        "queries": len(queries.captured_queries),
    }


# --- Parent: one child per size, then the table ------------------------------------------------------


def measure(
    orgs: int,
    args: argparse.Namespace,
    contributions: int | None = None,
    bodies: int | None = None,
    meetings: int | None = None,
) -> dict:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    if "DATABASE_URL" not in os.environ:
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{BENCH_DIR / f'bench-{orgs}.sqlite3'}"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", f"--orgs={orgs}"]
    command += [f"--repeat={args.repeat}", f"--warmup={args.warmup}"]
    if args.programmes:
        command.append(f"--programmes={args.programmes}")
    if args.representatives is not None:
        command.append(f"--representatives={args.representatives}")
    contributions = contributions if contributions is not None else args.contributions
    if contributions is not None:
        command.append(f"--contributions={contributions}")
    command.append(f"--bodies={bodies if bodies is not None else args.bodies}")
    command.append(f"--meetings={meetings if meetings is not None else args.meetings}")
    if args.reseed:
        command.append("--reseed")
    completed = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"The benchmark at {orgs} organisations failed (exit {completed.returncode}).")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def print_table(run: dict, repeat: int) -> None:
    sizes = run["sizes"]
    print(
        f"\n{sizes['organisations']:,} organisations, {sizes['programmes']} programmes, "
        f"{sizes['representatives']:,} representatives, {sizes['contributions']:,} contributions, "
        f"{sizes.get('bodies', 0):,} bodies, {sizes.get('meetings', 0):,} meetings "
        f"({run['database']}, {repeat} requests per page)"
    )
    print(f"{'page':<48} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for page in run["pages"]:
        if "error" in page:
            print(f"{page['page']:<48} {'not available: ' + page['error']}")
            continue
        target = page.get("target_ms", P95_TARGET_MS)
        flag = "" if page["p95_ms"] <= target else f"  (p95 over {target:.0f} ms)"
        print(f"{page['page']:<48} {page['p50_ms']:>8.1f} {page['p95_ms']:>8.1f} {page['queries']:>8}{flag}")


def compare_queries(small: dict, large: dict) -> bool:
    """Print, page by page, whether the query count is the same at both sizes; True if all are."""
    print(
        f"\nQuery count at {small['sizes']['organisations']:,} vs "
        f"{large['sizes']['organisations']:,} organisations"
    )
    same = True
    for a, b in zip(small["pages"], large["pages"], strict=True):
        name = b["page"].split(" (")[0]
        if "error" in a or "error" in b:
            print(f"{name:<48} not available")
            same = False
        elif a["queries"] == b["queries"]:
            print(f"{name:<48} equal ({b['queries']})")
        else:
            print(f"{name:<48} DIFFERENT ({a['queries']} vs {b['queries']})")
            same = False
    return same


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args)))
        return 0
    small = (
        measure(args.small_orgs, args, args.small_contributions, args.small_bodies, args.small_meetings)
        if args.compare_small
        else None
    )
    large = measure(args.orgs, args)
    if small:
        print_table(small, args.repeat)
    print_table(large, args.repeat)
    if small and not compare_queries(small, large):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
