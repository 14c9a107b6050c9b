"""Email: plain text plus HTML from templates, sent through Flask-Mailman.

Callers send after their transaction committed, so a failed send never undoes what the
user did; `send` logs the failure and returns False, and the caller tells the user
"we could not send the email, try again". In development the console backend prints
the message instead of sending it.
"""

from __future__ import annotations

import logging
import smtplib

from flask import current_app, render_template, url_for
from flask_mailman import EmailMultiAlternatives

log = logging.getLogger(__name__)

SEND_FAILED = "We could not send the email, try again in a few minutes."


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email: PUBLIC_URL when configured, else the request's host."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def send(to: str, template: str, headers: dict | None = None, **context) -> bool:
    """Send templates/email/<template>.{txt,html} (subject from the first text line) to `to`."""
    text = render_template(f"email/{template}.txt", **context)
    subject, _, body = text.partition("\n")
    html = render_template(f"email/{template}.html", subject=subject, **context)
    message = EmailMultiAlternatives(
        subject=subject.strip(), body=body.lstrip("\n"), to=[to], headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    try:
        sent = message.send()
    except (OSError, smtplib.SMTPException) as error:
        log.error("email %s to %s failed: %s", template, to, error)
        return False
    return sent == 1
