"""The command line: one module per command group; argparse stops here."""
