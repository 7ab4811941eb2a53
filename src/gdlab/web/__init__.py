"""The browser playground's server: ``create_app()`` and ``gdlab serve``."""
