"""The Kivy station app (the only package that imports Kivy).

    main       SanjiApp, run_app(data_dir) — `sanji app --data DIR`; app_people: sign-in,
               idle sign-out, lock; app_sync: the background sync round and status line
    shell      the top bar (station, who, sync status), message line, screen manager
    *_screen   one screen each, its .kv beside it: enroll, signin, home, visit, duty,
               intake, ledger, case, town; 矛盾纠纷: dispute_intake, dispute, agreement,
               dispute_board; 信访: petition_intake, petition, petition_board, accusation.
               Built on first use (screens.SCREENS: one line per screen), so the app starts on one screen.
    widgets    shared building blocks; style: colours and sizes; forms: small forms from
               a spec; links: earlier records shown at intake; rows: list-row heights
    print_dialog  打印 for every paper: printer choice and copies (app.services.printers)
    fonts      the CJK font registered as Kivy's default
"""
import os

# Kivy parses sys.argv when first imported unless told not to; the app is started by the
# `sanji` command, whose arguments are not Kivy's.
os.environ.setdefault("KIVY_NO_ARGS", "1")
