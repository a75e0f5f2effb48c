"""Access policies in the IAM policy language (a subset), for the local vault.

document.py parses and validates a policy (MalformedPolicyDocumentException with the path
of what is wrong); conditions.py evaluates the Condition block; evaluate.py decides a
request as IAM does (an explicit Deny wins, otherwise an Allow is needed) and says which
statement decided. Nothing here touches the vault: backends/local/access.py stores the
policies and enforces the decisions.
"""
