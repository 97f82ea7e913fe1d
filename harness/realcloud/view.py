"""Nova and Placement as an admin sees them over plain HTTP: what the tier's tests check.

Deliberately not the project's adapter: tests compare what the service did or read with
what Nova and Placement themselves answer. Also the set-up steps tests need (servers on a
chosen host, stopped servers, clean-up between tests).
"""

from __future__ import annotations

import requests

from harness.processes import wait_for
from harness.realcloud.keystone import Account

NOVA_MICROVERSION = "2.87"  # the last with hypervisor capacities; has host in server create
PLACEMENT_MICROVERSION = "1.39"


class CloudView:
    """An admin client of the tier's Nova and Placement."""

    def __init__(self, cloud, account: Account | None = None) -> None:
        self.cloud = cloud
        self.keystone = cloud.keystone
        self.nova_url = cloud.nova.url
        self.placement_url = cloud.placement.url
        self.image_id = cloud.image_id
        self.account = account
        self._token: str | None = None
        self._http = requests.Session()

    def as_account(self, account: Account) -> CloudView:
        """The same client logged in as ``account`` (its project owns what it creates)."""
        return CloudView(self.cloud, account)

    def _auth_token(self) -> str:
        if self.account is None:
            return self.keystone.admin_token()
        if self._token is None:
            self._token = self.keystone.issue_token(self.account)
        return self._token

    def _call(self, method: str, url: str, header: str, body: dict | None) -> dict:
        response = self._http.request(
            method,
            url,
            json=body,
            headers={"X-Auth-Token": self._auth_token(), "OpenStack-API-Version": header},
            timeout=60,
        )
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {url}: {response.status_code} {response.text[:500]}")
        return response.json() if response.content else {}

    def nova(self, method: str, path: str, body: dict | None = None, mv=NOVA_MICROVERSION):
        return self._call(method, f"{self.nova_url}{path}", f"compute {mv}", body)

    def placement(self, method: str, path: str, body: dict | None = None):
        url = f"{self.placement_url}{path}"
        return self._call(method, url, f"placement {PLACEMENT_MICROVERSION}", body)

    # -- reading ------------------------------------------------------------------------

    def hypervisors(self) -> list[dict]:
        return self.nova("GET", "/os-hypervisors/detail")["hypervisors"]

    def services(self) -> dict[str, dict]:
        """nova-compute services by host."""
        found = self.nova("GET", "/os-services?binary=nova-compute")["services"]
        return {s["host"]: s for s in found}

    def providers(self) -> dict[str, str]:
        """Placement resource provider uuid by name (the hypervisor hostname)."""
        found = self.placement("GET", "/resource_providers")["resource_providers"]
        return {rp["name"]: rp["uuid"] for rp in found}

    def inventories(self, provider_uuid: str) -> dict[str, dict]:
        return self.placement("GET", f"/resource_providers/{provider_uuid}/inventories")[
            "inventories"
        ]

    def server(self, server_id: str) -> dict:
        return self.nova("GET", f"/servers/{server_id}")["server"]

    def servers(self) -> list[dict]:
        return self.nova("GET", "/servers/detail?all_tenants=1")["servers"]

    def migrations(self, server_id: str) -> list[dict]:
        """The server's migration records, oldest first."""
        found = self.nova("GET", f"/os-migrations?instance_uuid={server_id}")["migrations"]
        return sorted(found, key=lambda m: m["id"])

    def allocations(self, server_id: str) -> dict[str, dict]:
        """Placement allocations held by the server, by provider name."""
        names = {uuid: name for name, uuid in self.providers().items()}
        held = self.placement("GET", f"/allocations/{server_id}")["allocations"]
        return {names.get(uuid, uuid): alloc["resources"] for uuid, alloc in held.items()}

    def failure_reasons(self, server_id: str) -> list[str]:
        """What Nova says went wrong: the server's fault and its failed instance-action events
        (their ``details``, microversion 2.84, and the last line of their traceback)."""
        reasons = []
        fault = self.server(server_id).get("fault") or {}
        if fault.get("message"):
            reasons.append(fault["message"])
        path = f"/servers/{server_id}/os-instance-actions"
        for action in self.nova("GET", path, mv="2.84")["instanceActions"]:
            detail = self.nova("GET", f"{path}/{action['request_id']}", mv="2.84")
            for event in detail["instanceAction"].get("events") or []:
                if (event.get("result") or "").lower() != "error":
                    continue
                if event.get("details"):
                    reasons.append(event["details"])
                lines = [line for line in (event.get("traceback") or "").splitlines() if line]
                if lines:
                    reasons.append(lines[-1].strip())
        return reasons

    def usages(self, provider_uuid: str) -> dict[str, int]:
        return self.placement("GET", f"/resource_providers/{provider_uuid}/usages")["usages"]

    # -- set-up -------------------------------------------------------------------------

    def flavor_id(self, name: str) -> str:
        flavors = self.nova("GET", "/flavors")["flavors"]
        return next(f["id"] for f in flavors if f["name"] == name)

    def create_server(
        self,
        name: str,
        flavor: str,
        host: str | None = None,
        group: str | None = None,
        wait: bool = True,
    ) -> str:
        """Boot a server (no network), on ``host`` if given, into server group ``group`` (the
        scheduler hint) if given; wait until ACTIVE unless ``wait`` is False."""
        body = {
            "name": name,
            "flavorRef": self.flavor_id(flavor),
            "imageRef": self.image_id,
            "networks": "none",
        }
        if host:
            body["host"] = host
        request = {"server": body}
        if group:
            request["os:scheduler_hints"] = {"group": group}
        server_id = self.nova("POST", "/servers", request)["server"]["id"]
        if wait:
            self.wait_server(server_id, "ACTIVE")
        return server_id

    def create_server_group(self, name: str, policy: str, rules: dict | None = None) -> dict:
        """A server group of the caller's project (microversion 2.64: one policy, rules)."""
        body = {"name": name, "policy": policy, **({"rules": rules} if rules else {})}
        return self.nova("POST", "/os-server-groups", {"server_group": body}, mv="2.64")[
            "server_group"
        ]

    def server_groups(self) -> dict[str, dict]:
        """Every project's server groups by id, as Nova shows them at 2.64."""
        found = self.nova("GET", "/os-server-groups?all_projects=True", mv="2.64")
        return {g["id"]: g for g in found["server_groups"]}

    def delete_server_group(self, group_id: str) -> None:
        self.nova("DELETE", f"/os-server-groups/{group_id}")

    def wait_server(self, server_id: str, status: str, timeout: float = 120) -> dict:
        """Until the server has ``status`` and no task in progress; ERROR fails at once."""

        def settled():
            server = self.server(server_id)
            if server["status"] == "ERROR" and status != "ERROR":
                raise RuntimeError(f"server {server_id} went to ERROR: {server.get('fault')}")
            done = server["status"] == status and server["OS-EXT-STS:task_state"] is None
            return server if done else None

        return wait_for(settled, timeout, f"server {server_id} {status}", interval=0.2)

    def stop_server(self, server_id: str) -> None:
        self.nova("POST", f"/servers/{server_id}/action", {"os-stop": None})
        self.wait_server(server_id, "SHUTOFF")

    def set_service(self, host: str, enabled: bool) -> None:
        service_id = self.services()[host]["id"]
        body = {"status": "enabled" if enabled else "disabled"}
        if not enabled:
            body["disabled_reason"] = "set by a test"
        self.nova("PUT", f"/os-services/{service_id}", body, mv="2.53")

    def delete_all_servers(self, timeout: float = 120) -> None:
        """Delete every server (confirming pending resizes first) and wait until gone."""
        for server in self.servers():
            if server["status"] == "VERIFY_RESIZE":
                self.nova("POST", f"/servers/{server['id']}/action", {"confirmResize": None})
                wait_for(
                    lambda s=server: self.server(s["id"])["status"] != "VERIFY_RESIZE",
                    60,
                    "confirm before delete",
                )
            self.nova("DELETE", f"/servers/{server['id']}")
        wait_for(lambda: not self.servers(), timeout, "every server deleted", interval=0.3)

    def enable_all_services(self) -> None:
        for host, service in self.services().items():
            if service["status"] != "enabled":
                self.set_service(host, True)

    def close(self) -> None:
        self._http.close()
