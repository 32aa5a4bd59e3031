"""The simulation pane: the distribution over sender profiles and the day-by-day forecast (SPEC §8)."""
