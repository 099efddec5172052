"""Put on PYTHONPATH only for an Odoo server that the black-box tests start
under libfaketime (LD_PRELOAD, FAKETIME, FAKETIME_DONT_FAKE_MONOTONIC).

libfaketime 0.9.10 (Debian 12) moves the wall clock correctly but breaks
``time.sleep``: Python sleeps with clock_nanosleep(CLOCK_MONOTONIC,
TIMER_ABSTIME), which that version shifts by the fake offset although the
monotonic clock is left real, and the kernel answers EINVAL. ``select`` with
a timeout is relative and unaffected, so sleep with it. Nothing else changes:
the date and time the server sees still come from libfaketime."""

import os
import select
import time

if os.environ.get("FAKETIME") and "faketime" in os.environ.get("LD_PRELOAD", ""):

    def _sleep(seconds):
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        select.select([], [], [], seconds)

    time.sleep = _sleep
