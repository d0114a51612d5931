from eligibility.cli import app

app(prog_name="eligibility")
