"""`flask sessions sweep`: finalise practice sessions whose deadline has passed."""

from flask.cli import AppGroup

sessions = AppGroup("sessions", help="Practice session maintenance.")
