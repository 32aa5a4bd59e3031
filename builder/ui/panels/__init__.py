"""The sliding settings panel and what it shows for each kind of node (SPEC §8)."""
