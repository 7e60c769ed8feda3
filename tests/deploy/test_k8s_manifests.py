"""deploy/k8s: the production overlay renders, every object is valid against the Kubernetes
schemas (kubernetes-validate, offline, strict), and it holds what a deployment must."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from bot.settings import SECRET_FIELDS

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.28.0"  # the newest schemas kubernetes-validate 1.28 carries
SECRET = "tro-ly-secrets"
SCALED = ("rasa", "actions")


def _documents(text: str) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all(text) if document]


def objects() -> list[dict[str, Any]]:
    """The overlay as `kubectl kustomize` renders it; without kubectl, the resources the
    kustomizations list (base and overlay, patches aside) as written."""
    overlay = K8S / "overlays" / "production"
    if shutil.which("kubectl"):
        rendered = subprocess.run(
            ["kubectl", "kustomize", str(overlay)], capture_output=True, text=True, check=True
        ).stdout
        return _documents(rendered)
    return _listed_resources(overlay)


def _listed_resources(folder: Path) -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = []
    for entry in kustomization.get("resources", []):
        path = (folder / entry).resolve()
        found += (
            _listed_resources(path)
            if path.is_dir()
            else _documents(path.read_text(encoding="utf-8"))
        )
    return found


@pytest.fixture(scope="module")
def rendered() -> list[dict[str, Any]]:
    return objects()


def by_kind(rendered: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in rendered if o["kind"] == kind}


def test_every_object_is_valid(rendered: list[dict[str, Any]]) -> None:
    assert len(rendered) >= 15
    for resource in rendered:
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def test_the_validator_rejects_a_broken_object(rendered: list[dict[str, Any]]) -> None:
    deployment = dict(by_kind(rendered, "Deployment")["rasa"])
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_deployments_have_probes_requests_and_run_unprivileged(
    rendered: list[dict[str, Any]],
) -> None:
    deployments = by_kind(rendered, "Deployment")
    assert {"rasa", "actions", "gateway", "rasa-lb"} <= set(deployments)
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"]:
            assert {"readinessProbe", "livenessProbe"} <= set(container), name
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name


def test_rasa_and_actions_scale_and_keep_one_pod_through_disruptions(
    rendered: list[dict[str, Any]],
) -> None:
    autoscalers, budgets = (
        by_kind(rendered, "HorizontalPodAutoscaler"),
        by_kind(rendered, "PodDisruptionBudget"),
    )
    for name in SCALED:
        assert autoscalers[name]["spec"]["scaleTargetRef"]["name"] == name
        assert autoscalers[name]["spec"]["minReplicas"] >= 2
        assert budgets[name]["spec"]["minAvailable"] >= 1


def test_secrets_are_referenced_never_committed(rendered: list[dict[str, Any]]) -> None:
    assert by_kind(rendered, "Secret") == {}
    settings = {
        key for config in by_kind(rendered, "ConfigMap").values() for key in config.get("data", {})
    }
    assert not settings & {field.upper() for field in SECRET_FIELDS}
    for name in ("rasa", "actions", "gateway"):
        container = by_kind(rendered, "Deployment")[name]["spec"]["template"]["spec"]["containers"][
            0
        ]
        assert {"secretRef": {"name": SECRET}} in container["envFrom"]


def test_postgresql_and_redis_are_external(rendered: list[dict[str, Any]]) -> None:
    services = by_kind(rendered, "Service")
    assert (
        services["tracker-db"]["spec"]["type"]
        == services["redis"]["spec"]["type"]
        == "ExternalName"
    )
    assert not {"postgres", "redis"} & set(by_kind(rendered, "Deployment"))


def test_the_dockerfile_is_multi_stage_and_not_root() -> None:
    lines = [
        line.strip() for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    ]
    assert sum(line.startswith("FROM ") for line in lines) >= 2
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
