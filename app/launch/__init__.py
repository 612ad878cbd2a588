"""Launching Sanji on one machine, apart from the app itself: `sanji up` (up), the
hub processes it starts and the enrolment of a county, a town and a station (hubs), and
the demo township and its data (demo, demo_township, demo_law). Nothing in app imports
this package except the command line (app/cli.py)."""
