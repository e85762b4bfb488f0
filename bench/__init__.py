"""Benchmarks run the service as production does (DEBUG off), which needs a signing key:
one per run unless the environment gives one. Child processes and gunicorn inherit it."""

import os
import secrets

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
