"""Names of the Dutch postcode regions (the first two digits of a postcode),
as people in and around Utrecht know them: the largest places of each region.
Written from the public PostNL postcode map; a region that is not listed is
shown by its digits."""

POSTCODE_REGIONS = {
    "10": "Amsterdam",
    "12": "Hilversum, Huizen, Laren",
    "13": "Almere",
    "25": "Den Haag",
    "30": "Rotterdam",
    "34": "Nieuwegein, IJsselstein, Woerden",
    "35": "Utrecht (stad)",
    "36": "Maarssen, Breukelen, Mijdrecht",
    "37": "Zeist, De Bilt, Soest",
    "38": "Amersfoort, Leusden, Nijkerk",
    "39": "Houten, Veenendaal, Wijk bij Duurstede",
    "40": "Tiel",
    "41": "Culemborg, Vianen, Leerdam",
}


def region_label(code):
    """'35 Utrecht (stad)': the digits first, so the regions sort as on a map."""
    if not code:
        return False
    name = POSTCODE_REGIONS.get(code)
    return f"{code} {name}" if name else code


def region_label_sql(column):
    """SQL for ``region_label`` of the 2-digit code in ``column``."""
    values = ", ".join(f"('{code}', '{region_label(code)}')" for code in POSTCODE_REGIONS)
    return f"coalesce((SELECT r.label FROM (VALUES {values}) AS r(code, label) WHERE r.code = {column}), {column})"
