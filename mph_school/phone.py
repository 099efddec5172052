"""Phone numbers: pure functions, no Odoo."""

import re

# Numbers written without a country code are Dutch.
DEFAULT_COUNTRY_CODE = "31"
# Fewer digits than this find too many people to be a search for a caller.
PHONE_MIN_DIGITS = 4


def normalize_phone(number):
    """A phone number as digits in international form without "+", so that
    every spelling of a Dutch number is the same: "06-12345678", "0612345678",
    "+31 6 1234 5678" and "0031612345678" all give "31612345678". A part of a
    number without its leading 0 ("12345678") stays as typed, which finds the
    numbers that contain it."""
    text = (number or "").strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return DEFAULT_COUNTRY_CODE + digits[1:]
    return digits
