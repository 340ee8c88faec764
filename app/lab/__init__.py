"""Code that runs inside lab processes. Standard library only: nothing here imports the server."""
