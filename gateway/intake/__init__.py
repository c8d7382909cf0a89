"""Intake: a report from any channel is stored first, then its stages run and it becomes
a new case or joins an open one (pipeline.py). service.py is what channels may call;
attachments.py and images.py keep the files that come with reports."""
