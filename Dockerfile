FROM python:3.13-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY core ./core
COPY traceability ./traceability
COPY recalls ./recalls
COPY sampling ./sampling
COPY injury ./injury
COPY risk ./risk
COPY manage.py ./
RUN pip install --no-cache-dir . && DEBUG=true python manage.py collectstatic --noinput
RUN useradd --system --home /app levee
USER levee
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "60"]
