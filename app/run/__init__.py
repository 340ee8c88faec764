"""Running the class's own Python code as lab processes: the probe inside, the run outside."""
