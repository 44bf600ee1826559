from intent.cli import run

run()
