"""The web front end: a FastAPI app with server-rendered pages and a JSON API over the same
services as the command line."""
