"""The local backend: an encrypted vault file that implements the service's semantics."""
