"""A user's own data: download it all, or delete the account (composed from the models).

This package comes after admin on the candidate's path (accounts → bank → practice →
learning → coach → admin → privacy → home): an export and an erasure read and remove
every area's rows, and accounts, which comes first, may not import them. The admin's
"Delete…" on the Users page is here too (`admin_routes`, guarded like admin).
"""
