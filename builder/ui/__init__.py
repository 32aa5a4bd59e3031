"""The desktop app (SPEC §8): Qt only; every change goes through the workspace."""
