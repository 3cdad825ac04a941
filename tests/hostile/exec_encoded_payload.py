# Run code the static look cannot read: a payload decoded at run time.
payload = bytes.fromhex("7072696e742822686922292")[:0]
exec(payload.decode() or "pass")
