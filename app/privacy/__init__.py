"""A user's own data: download it all, or delete the account (composed from the models).

This package comes after coach on the candidate's path (accounts → bank → practice →
learning → coach → privacy → admin → home): an export and an erasure touch every area,
and accounts, which comes first, may not import them. Admin uses `deletion` for the
Users page.
"""
