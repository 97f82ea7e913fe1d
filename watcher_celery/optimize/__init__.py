"""``watcher-optimize``: the operator's command line, a client of the REST API only.

It imports nothing of the service: it runs on an operator's machine against a remote API URL
with a token, as ``openstack optimize`` does, and adds what that lacks: waiting for an audit's
plan, the plan as a tree with its efficacy, and following a running plan with progress and ETA.
"""
