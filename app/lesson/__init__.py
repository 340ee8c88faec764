"""Lessons: the claims as guided scenes, with questions the class answers before the lab reveals them."""
