"""The tier's real Keystone: password logins through openstacksdk, token checks, the catalog."""

from __future__ import annotations

import openstack
import pytest
from openstack.config.loader import OpenStackConfig

from harness.realcloud.keystone import KeystoneError


def _connect(clouds_yaml, name):
    config = OpenStackConfig(config_files=[str(clouds_yaml)], load_envvars=False)
    return openstack.connection.Connection(config=config.get_one(cloud=name))


def test_password_login_through_openstacksdk_gives_a_token_keystone_validates(
    keystone, realcloud_dir
):
    # Given a member of a project, described in a clouds.yaml
    alice = keystone.create_user("alice", project="demo", roles=["member"])
    clouds = keystone.write_clouds_yaml(realcloud_dir / "clouds-alice.yaml", {"demo": alice})

    # When openstacksdk logs in with the password
    conn = _connect(clouds, "demo")
    token = conn.authorize()

    # Then Keystone validates the token for that user and project, with implied reader
    body = keystone.validate_token(token)
    assert body["user"]["id"] == alice.user_id
    assert body["project"]["id"] == alice.project_id
    assert {"member", "reader"} <= {role["name"] for role in body["roles"]}
    assert "admin" not in {role["name"] for role in body["roles"]}
    assert body["is_admin_project"] is False
    # and the SDK found Keystone itself through the catalog
    assert (
        conn.session.get_endpoint(service_type="identity", interface="public").rstrip("/")
        == keystone.url
    )
    conn.close()


def test_admin_token_is_admin_project_and_carries_implied_roles(keystone):
    body = keystone.validate_token(keystone.admin_token())
    assert body["is_admin_project"] is True
    assert {"admin", "member", "reader"} <= {role["name"] for role in body["roles"]}


def test_wrong_password_is_refused_with_401(keystone):
    bob = keystone.create_user("bob", project="demo", roles=["reader"])
    with pytest.raises(KeystoneError, match=" 401 "):
        keystone.issue_token(bob.__class__(bob.username, "not-the-password", bob.project))


def test_revoked_token_no_longer_validates(keystone):
    carol = keystone.create_user("carol", project="demo", roles=["reader"])
    token = keystone.issue_token(carol)
    keystone.validate_token(token)
    keystone.revoke_token(token)
    with pytest.raises(KeystoneError, match=" 404 "):
        keystone.validate_token(token)


def test_registered_service_appears_in_the_catalog_of_every_token(keystone):
    keystone.register_service("example", "example-svc", "http://127.0.0.1:9/example")
    dave = keystone.create_user("dave", project="ops", roles=["service"])
    catalog = keystone.validate_token(keystone.issue_token(dave))["catalog"]
    entry = next(service for service in catalog if service["type"] == "example")
    assert sorted(e["interface"] for e in entry["endpoints"]) == ["admin", "internal", "public"]
    assert {e["url"] for e in entry["endpoints"]} == {"http://127.0.0.1:9/example"}
