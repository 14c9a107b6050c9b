import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging, unless the caller runs in-process and
# keeps its own logging (the migration tests' setup steps: fileConfig would disable
# every logger already configured, the app's request log among them).
if config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name)
logger = logging.getLogger("alembic.env")


def get_engine():
    # Flask-SQLAlchemy 3 (the template's fallback to its deprecated get_engine() warns)
    return current_app.extensions["migrate"].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
    except AttributeError:
        return str(get_engine().url).replace("%", "%%")


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option("sqlalchemy.url", get_engine_url())
target_db = current_app.extensions["migrate"].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def defer_use_alter_foreign_keys(script):
    """Create `use_alter` foreign keys (the version cycles) after every table exists.

    Alembic renders them inside `create_table`, where PostgreSQL's CREATE TABLE leaves
    them out (SQLite keeps them inline), so the constraints never reached PostgreSQL.
    Here they become `create_foreign_key` steps after the tables, and `drop_constraint`
    steps before the tables are dropped on downgrade.
    """
    from alembic.operations import ops
    from sqlalchemy import ForeignKeyConstraint

    deferred = []
    for upgrade_ops in script.upgrade_ops_list:
        for op in upgrade_ops.ops:
            if not isinstance(op, ops.CreateTableOp):
                continue
            keep = []
            for item in op.columns:
                if isinstance(item, ForeignKeyConstraint) and item.use_alter:
                    deferred.append(item)
                else:
                    keep.append(item)
            op.columns = keep
        for fk in deferred:
            upgrade_ops.ops.append(
                ops.ModifyTableOps(fk.table.name, [ops.CreateForeignKeyOp.from_constraint(fk)])
            )
    for downgrade_ops in script.downgrade_ops_list:
        drops = [
            ops.ModifyTableOps(fk.table.name, [ops.DropConstraintOp.from_constraint(fk)])
            for fk in deferred
        ]
        downgrade_ops.ops[:0] = drops


def get_metadata():
    if hasattr(target_db, "metadatas"):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True)

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")
                return
            defer_use_alter_foreign_keys(script)

    conf_args = current_app.extensions["migrate"].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # The app turns SQLite's foreign keys on for every connection; batch mode
            # rebuilds a table by copy, drop and rename, and dropping a table that others
            # reference then fails. Off for the migration (the pragma only works outside a
            # transaction), checked afterwards, on again.
            connection.commit()
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)

        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            connection.commit()
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
            if broken:
                raise RuntimeError(f"foreign keys broken by the migration: {broken[:10]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
