FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY rastrack rastrack
COPY curriculum curriculum
COPY accreditation accreditation
COPY labs labs
COPY templates templates
COPY static static
COPY manage.py gunicorn.conf.py ./
RUN pip install --no-cache-dir . gunicorn
# collectstatic with the production settings (manifest storage), with throwaway secrets that
# the image never keeps: it needs no database. scripts/check_production_static.sh (in CI)
# does the same and renders the sign-in page with DEBUG=false.
RUN mkdir -p /tmp/build && KEYS="$(DEBUG=true RASTRACK_VAR_DIR=/tmp/build python manage.py credential_keys new 2>/dev/null)" \
    && SECRET_KEY=build-only CREDENTIAL_SIGNING_KEYS="$KEYS" RASTRACK_VAR_DIR=/tmp/build \
       python manage.py collectstatic --no-input \
    && rm -rf /tmp/build
RUN useradd --create-home rastrack && mkdir -p /app/var && chown rastrack /app/var
USER rastrack
EXPOSE 8000
CMD ["gunicorn", "rastrack.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
