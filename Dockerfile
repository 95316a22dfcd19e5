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
COPY manage.py ./
RUN pip install --no-cache-dir . gunicorn
# collectstatic needs settings but no secrets or database.
RUN DEBUG=true python manage.py collectstatic --no-input
RUN useradd --create-home rastrack && mkdir -p /app/var && chown rastrack /app/var
USER rastrack
EXPOSE 8000
CMD ["gunicorn", "rastrack.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
