# Ecosystem: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=ecosystem.settings.production

WORKDIR /app
# Pango, HarfBuzz's subsetter, fontconfig and a font: WeasyPrint renders the statement and invoice PDFs with them.
RUN apt-get update && apt-get install -y --no-install-recommends curl gettext \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# collectstatic needs a key and hosts at build time only; the real ones come from the environment.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --no-input --verbosity 0 \
    && (python manage.py compilemessages --verbosity 0 || true)
RUN useradd --create-home ecosystem && mkdir -p /app/var && chown -R ecosystem /app/var
USER ecosystem
EXPOSE 8000
CMD ["gunicorn", "ecosystem.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
