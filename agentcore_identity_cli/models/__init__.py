"""Pydantic models of the AWS request shapes (generated) and their base classes."""
