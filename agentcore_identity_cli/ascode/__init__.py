"""Identities as code: a definition file, its schema, and the export / plan / apply engine.

The engine speaks only the backends' public interface (AWS operations through `validated_call`,
plus the local backend's trust list and sealed secrets), so one file applies to either backend.
"""
