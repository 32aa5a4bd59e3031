"""Email that is really sent (SPEC §11): passwords in the keyring, SMTP out, IMAP in, one sender for app and CLI."""
