"""`camd preflight`: before a session that matters, check that it will work, one row per check."""
