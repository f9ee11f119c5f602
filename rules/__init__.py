"""The rule table data (rules.json, schema.json), installed as drmigrate.rules_data."""
