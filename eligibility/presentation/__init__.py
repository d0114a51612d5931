"""What people and other programs read: the label table, the terminal rendering, the rule catalogue, the JSON Schemas."""
