"""The server serving the lab: the app factory, routes, authentication, the websocket fan-out."""
