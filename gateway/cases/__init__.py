"""Cases: the work-order document and the rules of its life — statuses and the
transitions between them, merge and split, ratings (workorders.py), what an operator may
edit (tickets.py) — and the case service that applies every change after filing
(service.py)."""
