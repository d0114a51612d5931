"""The condition language of rule packs: one operator table, one normalised form, and the backends compiled from it."""
