"""The `/undersigned VERB ...` comment commands: parsed here, purely; one module per verb, one entry each."""
