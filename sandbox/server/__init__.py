"""Vendor API servers on 127.0.0.1: generic HTTP infrastructure (``base``), faults, and one module per vendor."""

from sandbox.server.base import Request, Response, Router, Stats, VendorApp, VendorServer
from sandbox.server.faults import FAULT_KINDS, FaultPlan
from sandbox.server.hubspot import DEFAULT_TOKEN, HubSpotApp, RateLimits

__all__ = [
    "DEFAULT_TOKEN",
    "FAULT_KINDS",
    "FaultPlan",
    "HubSpotApp",
    "RateLimits",
    "Request",
    "Response",
    "Router",
    "Stats",
    "VendorApp",
    "VendorServer",
]
