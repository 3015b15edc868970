"""Continuous monitoring: parties re-screened after every list change, alerts on changed outcomes, webhooks.

tables.py    monitored parties (with their last outcome), alerts, webhook deliveries, re-screen markers
registry.py  register / update / remove parties; the baseline outcome is a normal screening
outcome.py   pure: how one list version changes a party's outcome, and which alerts that raises
rescreen.py  the delta re-screening of every party against one version's added + changed entries
runs.py      exactly-once per version (lease + marker), catch-up, the app's background worker
webhooks.py  signed delivery with retries, backoff and a delivery log
routes.py    /v1/monitored, /v1/alerts, /v1/webhooks/deliveries
cli.py       `screening monitor ...`
"""
