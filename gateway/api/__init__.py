"""The core platform's API (core.py: the change feed, work orders, status updates, merge
and split, attachments) and the OpenAPI document at /api/openapi.json (openapi.py, from
openapi.json, the console's fragment and each enabled channel's)."""
