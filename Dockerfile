FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       fonts-dejavu-core fonts-liberation \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir -e . || true
COPY . .
RUN pip install --no-cache-dir -e . \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 ehr && mkdir -p /app/var/private && chown -R ehr /app/var
USER ehr
EXPOSE 8000
CMD ["gunicorn", "practice.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
