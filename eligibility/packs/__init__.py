"""Rule packs: the YAML schema, safe loading into the normalised condition form, the catalogue, lint and provenance."""
