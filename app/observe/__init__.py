"""The server watching the lab: /proc sampling, map classification, views, patches, frames."""
