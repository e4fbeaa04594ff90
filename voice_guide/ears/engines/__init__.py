"""Recognition engine adapters: one module per engine, only it imports the engine."""
