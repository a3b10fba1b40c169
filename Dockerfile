# Production image: gunicorn serving the app as an unprivileged user.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    SERVICE_ENV=production INSTANCE_PATH=/var/lib/mastery FLASK_APP=service

WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY openbadges ./openbadges
COPY storage ./storage
COPY gunicorn.conf.py ./
RUN pip install --no-compile . \
 && useradd --system --uid 10001 --home /var/lib/mastery --create-home mastery \
 && chown -R mastery /var/lib/mastery

USER mastery
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" || exit 1
# Migrate, then serve. Several replicas may start at once: Alembic takes a
# lock-free path when already at head, and gunicorn workers share the database and bucket.
# gunicorn.conf.py sets the worker class (one queue for all workers), no keep-alive (put a proxy in
# front), and workers and threads (WEB_CONCURRENCY, GUNICORN_THREADS override them).
CMD ["sh", "-c", "flask db upgrade && exec gunicorn --config gunicorn.conf.py --bind 0.0.0.0:8000 --access-logfile - 'service:create_app()'"]
