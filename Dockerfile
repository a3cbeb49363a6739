# Production image: web (gunicorn), worker and beat run from it with different commands.
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends gettext nodejs npm \
      fonts-dkg-handwriting fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml uv.lock package.json package-lock.json ./
RUN pip install --no-cache-dir uv==0.13.9 && uv sync --frozen --no-dev \
    && npm ci --no-audit --no-fund
ENV PATH="/app/.venv/bin:$PATH"
COPY . .
RUN DEBUG=1 python manage.py compilemessages --ignore=.venv --ignore=node_modules \
    && DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4"]
