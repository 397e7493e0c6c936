"""Plumbing every vendor shares and that knows neither the raw layer nor any vendor: the HTTP client and its retry,
rate-limit and redirect rules, typed errors, secret redaction, JSON decoding, paging guards, timestamps and clocks,
and settings read from environment variables."""
