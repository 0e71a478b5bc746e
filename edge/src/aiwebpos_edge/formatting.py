"""Amounts as people read them in messages and on screens: lisente in, "M1,250.00" out."""


def format_maloti(cents: int) -> str:
    """Lisente as maloti with thousands separators: 125000 -> "M1,250.00", -5 -> "-M0.05"."""
    sign = "-" if cents < 0 else ""
    maloti, lisente = divmod(abs(cents), 100)
    return f"{sign}M{maloti:,}.{lisente:02d}"
