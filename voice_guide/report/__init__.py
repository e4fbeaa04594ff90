"""Reports from a session log: Markdown, HTML, PDF, the SOAP note, the timeline."""
