"""`python -m voice_guide` runs the same CLI as the `voice-guide` script."""

from voice_guide.cli.entry import main

raise SystemExit(main())
