"""The clouds.yaml that points openstacksdk at the OpenStack API emulator."""

CLOUDS_YAML = """clouds:
  emulator:
    auth:
      auth_url: {url}/identity/v3
      username: admin
      password: secret
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    identity_api_version: 3
"""
