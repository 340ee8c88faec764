"""Relaying: the lab server's picture to other machines through Redis (feed), and a relay following it."""
