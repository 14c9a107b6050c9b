"""Admin forms: the Users page's search and role change."""

from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField, SubmitField
from wtforms.validators import Optional

from app.accounts.forms import strip
from app.models.users import Role


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    q = SearchField("Search by email or name", filters=[strip], validators=[Optional()])


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[r.value for r in Role])
    submit = SubmitField("Change role")
