"""`serve`: the local vault behind AgentCore Identity's own wire protocol (rest-json, SigV4).

app.py: the ASGI app and its lifecycle; protocol.py: route, parse and serialize from
botocore's service models; auth.py: SigV4 with the vault's access key.
"""
