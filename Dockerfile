# One image for every process: `docker build -t tro-ly-thu-tuc .`, then the command is
# `python -m bot <rasa|actions|gateway|console|...>` (deploy/k8s passes it as args).
# Stages: the pinned packages, the trained model (baked in; or mount one on /app/models),
# and the runtime, which runs as an unprivileged user.

FROM python:3.10-slim-bookworm AS packages
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends gcc g++ libpq-dev \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock /tmp/requirements.lock
RUN python -m venv /opt/venv && /opt/venv/bin/pip install -r /tmp/requirements.lock

FROM packages AS model
WORKDIR /app
COPY . /app
ENV RASA_TELEMETRY_ENABLED=false
RUN /opt/venv/bin/pip install --no-deps -e /app && /opt/venv/bin/python -m bot train --config config.yml

FROM python:3.10-slim-bookworm AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 assistant \
    && useradd --system --uid 10001 --gid assistant --home-dir /app --shell /usr/sbin/nologin assistant
COPY --from=packages /opt/venv /opt/venv
WORKDIR /app
COPY --chown=assistant:assistant . /app
COPY --from=model --chown=assistant:assistant /app/models /app/models
# Editable: the code stays in /app, next to config.yml, models/ and data/ (bot.settings.PROJECT_ROOT).
RUN /opt/venv/bin/pip install --no-deps -e /app
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 RASA_TELEMETRY_ENABLED=false \
    ASSISTANT_ENV=production
USER 10001:10001
EXPOSE 5005 5055 8080 8090
ENTRYPOINT ["python", "-m", "bot"]
CMD ["--help"]
