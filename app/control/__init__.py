"""The server steering the lab: starting, commanding and reaping lab processes, and the experiments."""
