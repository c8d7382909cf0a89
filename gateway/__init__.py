"""The gateway, packaged in the order a report travels:

    intake/    the pipeline a report enters by (store it, run its stages, file or join a
               case), the service channels see, attachments, photos
    stages/    running the stages: worker processes, the runner, building them from settings
    cases/     the work order and its statuses, and the case service (every later change)
    store/     all SQL
    outbound/  who hears of a change, and delivery of answers back through the channels
    api/       the core platform's API and the OpenAPI document
    console/   the seat-operator console
    speech/    speech to text for hotline recordings

Beside them: app.py (the composition root), settings.py, models.py (value types),
errors.py, fields.py (text checks), guard.py (limits on guessing), http.py, metrics.py,
logs.py, events.py. Imports run one way: app on top; value types at the bottom.
"""
