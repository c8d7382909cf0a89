-- Work that must run once across nodes: a stored report held by the node filing it, a
-- push subscription held by the node sending to it (gateway/store/intakes.py, push.py).

ALTER TABLE intakes ADD COLUMN claimed_until TEXT;

ALTER TABLE push_subscriptions ADD COLUMN holder TEXT;
ALTER TABLE push_subscriptions ADD COLUMN held_until TEXT;
